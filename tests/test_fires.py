"""NASA FIRMS detections: the importer (every layout) and geo.corroborate / geo.unreported_fires.

All detection files and frames here are SYNTHETIC (tests/fixtures/synthetic_firms_*.csv and
frames built below, headers exactly as FIRMS writes them): no real fire is claimed anywhere.
Expected distances come from pyproj's forward geodesic (Geod.fwd), independent of the
k-d tree + inverse geodesic the code uses.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

import geo
import incidents
from incidents.errors import IncidentDataError

FIXTURES = Path(__file__).parent / "fixtures"
GEOD = Geod(ellps="WGS84")
ORIGIN = (30.5234, 50.4501)  # lon, lat of a synthetic incident


def offset(km: float, azimuth: float = 90.0, origin=ORIGIN) -> shapely.Point:
    lon, lat, _ = GEOD.fwd(origin[0], origin[1], azimuth, km * 1000)
    return shapely.Point(lon, lat)


def fires(rows) -> gpd.GeoDataFrame:
    """Synthetic detections: (point, detected_at, frp[, type])."""
    frame = pd.DataFrame([r[1:] for r in rows], columns=["detected_at", "frp", "type"][: len(rows[0]) - 1])
    frame["detected_at"] = pd.to_datetime(frame["detected_at"])
    return gpd.GeoDataFrame(frame, geometry=[r[0] for r in rows], crs=4326)


def strikes(rows) -> gpd.GeoDataFrame:
    """Synthetic incidents: (id, point or None, date or None)."""
    return gpd.GeoDataFrame({"id": [r[0] for r in rows], "date": pd.to_datetime([r[2] for r in rows])},
                            geometry=[r[1] for r in rows], crs=4326)


# ---- the importer ------------------------------------------------------------------------

@pytest.mark.parametrize("name, satellites, instrument", [
    ("synthetic_firms_viirs_snpp_archive.csv", ["Suomi NPP"] * 3, "VIIRS"),
    ("synthetic_firms_viirs_noaa20_nrt.csv", ["NOAA-20"] * 2, "VIIRS"),
    ("synthetic_firms_viirs_noaa21_nrt.csv", ["NOAA-21"], "VIIRS"),
    ("synthetic_firms_modis_archive.csv", ["Terra", "Aqua"], "MODIS"),
    ("synthetic_firms_modis_nrt.csv", ["Aqua", "Terra"], "MODIS"),
])
def test_every_firms_layout_loads_as_detections(name, satellites, instrument):
    """Catches: a layout not recognised (MODIS's brightness/bright_t31 names), a satellite code mapped
    to the wrong platform, detections validated as incidents, or coordinates rounded on the way
    (the NOAA-21 file has 8 significant digits)."""
    raw = pd.read_csv(FIXTURES / name, dtype=str)
    found = incidents.load(FIXTURES / name)
    assert found.attrs["kind"] == "detections" and "id" not in found.columns
    assert found["satellite"].tolist() == satellites and set(found["instrument"]) == {instrument}
    assert found["latitude"].tolist() == raw["latitude"].astype(float).tolist()
    assert found["frp"].tolist() == raw["frp"].astype(float).tolist()
    brightness = "bright_ti4" if instrument == "VIIRS" else "brightness"
    assert found["brightness"].tolist() == raw[brightness].astype(float).tolist()
    assert "FIRMS" in found.attrs["attribution"]


def test_acquisition_time_is_hhmm_utc_with_or_without_leading_zeros():
    """Catches: acq_time read as minutes or as a number of hours ("5" is 00:05, "1142" 11:42)."""
    found = incidents.load(FIXTURES / "synthetic_firms_viirs_snpp_archive.csv")
    assert found["detected_at"].tolist() == [pd.Timestamp("2025-08-21 00:05"), pd.Timestamp("2025-08-21 11:42"),
                                             pd.Timestamp("2025-08-22 23:59")]
    nrt = incidents.load(FIXTURES / "synthetic_firms_viirs_noaa20_nrt.csv")
    assert nrt["detected_at"].tolist() == [pd.Timestamp("2025-08-08 00:42"), pd.Timestamp("2025-08-08 11:35")]


def test_confidence_classes_for_viirs_letters_and_modis_percentages():
    """Catches: the MODIS class boundaries (30, 80) shifted, or VIIRS letters left unmapped."""
    viirs = incidents.load(FIXTURES / "synthetic_firms_viirs_snpp_archive.csv")
    assert viirs["confidence"].tolist() == ["nominal", "high", "low"]
    modis = pd.concat([incidents.load(FIXTURES / "synthetic_firms_modis_archive.csv"),
                       incidents.load(FIXTURES / "synthetic_firms_modis_nrt.csv")])
    assert modis["confidence_pct"].tolist() == [25, 85, 79, 30]
    assert modis["confidence"].tolist() == ["low", "high", "nominal", "nominal"]


def test_bad_firms_rows_are_named_by_line_and_field():
    """Catches: a bad row dropped silently, or a problem reported on the wrong line."""
    with pytest.raises(IncidentDataError) as err:
        incidents.load(FIXTURES / "synthetic_firms_bad_rows.csv")
    where = {(p.row, p.field) for p in err.value.problems}
    assert where == {(3, "longitude"), (4, "acq_date"), (4, "acq_time"), (5, "satellite"), (5, "frp")}
    kept, rejected = incidents.load(FIXTURES / "synthetic_firms_bad_rows.csv", errors="report")
    assert len(kept) == 1 and sorted(rejected["row"].unique()) == [3, 4, 5]
    assert kept.attrs["rows_in"] == len(kept) + kept.attrs["rows_rejected"]


def test_incident_files_are_not_taken_for_detections():
    """Catches: a FIRMS signature so loose that an incident file loads as detections."""
    assert "kind" not in incidents.load(incidents.sample_path()).attrs
    assert incidents.load(FIXTURES / "synthetic_acled_2023.csv").attrs["dataset"] == "ACLED"


def test_saved_detections_load_back_the_same(tmp_path):
    """Catches: a saved detections frame no longer recognised, or MODIS's percentage lost."""
    found = incidents.load(FIXTURES / "synthetic_firms_modis_archive.csv")
    incidents.save(found, tmp_path / "fires.parquet")
    again = incidents.load(tmp_path / "fires.parquet")
    columns = ["detected_at", "satellite", "confidence", "confidence_pct", "frp", "type"]
    pd.testing.assert_frame_equal(again[columns], found[columns])


# ---- corroborate -------------------------------------------------------------------------

def test_corroborate_counts_only_detections_inside_radius_and_window():
    """Catches: the radius in degrees rather than km, a window that looks back before the
    incident or ignores its end, nearest/first/max taken over the wrong detections."""
    gdf = strikes([("a", shapely.Point(ORIGIN), "2025-08-21")])
    detections = fires([
        (offset(1.5), "2025-08-21 10:00", 8.0),    # counts
        (offset(1.9, 200), "2025-08-22 23:00", 30.0),  # counts: inside 48 h of midnight
        (offset(2.1), "2025-08-21 12:00", 99.0),   # 2.1 km: outside
        (offset(0.5), "2025-08-20 23:00", 77.0),   # before the incident's day
        (offset(0.5), "2025-08-23 00:30", 55.0),   # after the 48 h window
    ])
    row = geo.corroborate(gdf, detections, km=2, hours=48).iloc[0]
    assert row["fire_detections"] == 2
    assert row["fire_nearest_km"] == pytest.approx(1.5, abs=1e-6)
    assert row["fire_first_seen"] == pd.Timestamp("2025-08-21 10:00")
    assert row["fire_max_frp"] == 30.0


def test_corroborate_tells_unchecked_incidents_from_checked_ones_without_fires():
    """Catches: an incident with no point or date reported as "0 detections" (as if checked)."""
    gdf = strikes([("far", offset(50), "2025-08-21"), ("no point", None, "2025-08-21"),
                   ("no date", shapely.Point(ORIGIN), None)])
    out = geo.corroborate(gdf, fires([(shapely.Point(ORIGIN), "2025-08-21 10:00", 5.0)]))
    assert out["fire_detections"].tolist() == [0, pd.NA, pd.NA]
    assert out["fire_nearest_km"].isna().all() and out["id"].tolist() == ["far", "no point", "no date"]


def test_corroborate_matches_a_brute_force_check():
    """Catches: the k-d tree chord too short (pairs near the radius missed) or indices
    crossed between incidents and detections. Random synthetic points, every pair checked."""
    rng = np.random.default_rng(7)
    n, m = 60, 400
    lon, lat = 30.5 + rng.uniform(-0.1, 0.1, n), 50.45 + rng.uniform(-0.1, 0.1, n)
    gdf = strikes([(str(i), shapely.Point(lon[i], lat[i]), pd.Timestamp("2025-08-01") + pd.Timedelta(days=int(d)))
                   for i, d in enumerate(rng.integers(0, 5, n))])
    dlon, dlat = 30.5 + rng.uniform(-0.12, 0.12, m), 50.45 + rng.uniform(-0.12, 0.12, m)
    seen = pd.Timestamp("2025-08-01") + pd.to_timedelta(rng.uniform(0, 7 * 24, m), unit="h")
    detections = fires([(shapely.Point(dlon[j], dlat[j]), seen[j], float(j)) for j in range(m)])
    out = geo.corroborate(gdf, detections, km=3, hours=24)
    for i in range(n):
        _, _, metres = GEOD.inv(np.full(m, lon[i]), np.full(m, lat[i]), dlon, dlat)
        date = gdf["date"][i]
        hit = (metres <= 3000) & (seen >= date) & (seen <= date + pd.Timedelta(hours=24))
        assert out["fire_detections"][i] == hit.sum()
        if hit.any():
            assert out["fire_nearest_km"][i] == pytest.approx(metres[hit].min() / 1000)
            assert out["fire_max_frp"][i] == np.arange(m)[hit].max()


def test_corroborate_refuses_an_incident_frame_as_detections():
    """Catches: incidents passed in the detections slot answering with nonsense."""
    with pytest.raises(ValueError, match="detections"):
        geo.corroborate(incidents.sample(), incidents.sample())


# ---- unreported fires --------------------------------------------------------------------

SITES = pd.DataFrame({"company": ["Synthetic Plant A", "Synthetic Works B"], "lat": [50.4501, 47.9], "lon": [30.5234, 33.4]})


def test_unreported_fires_reports_clusters_no_incident_explains():
    """Catches: a cluster explained by an incident at another time or place, clusters not
    split at a gap of more than `days`, or static industrial heat (FIRMS type 2) kept."""
    works = shapely.Point(33.4, 47.9)
    detections = fires([
        (offset(0.3), "2025-08-21 01:00", 5.0, 0), (offset(0.4), "2025-08-22 11:00", 9.0, 0),  # explained
        (offset(0.2), "2025-09-10 01:00", 4.0, 0), (offset(0.6), "2025-09-11 12:00", 12.0, 0),  # not explained
        (offset(0.8), "2025-09-15 02:00", 3.0, 0),  # more than 2 days later: its own cluster
        (offset(5.0), "2025-09-10 01:00", 50.0, 0),  # 5 km away: no site
        (works, "2025-09-10 01:00", 40.0, 2),        # a steel works' constant heat
    ])
    gdf = strikes([("strike", offset(0.5, 10), "2025-08-20"), ("elsewhere", offset(30), "2025-09-10")])
    out = geo.unreported_fires(detections, gdf, sites=SITES, km=1, days=2)
    assert out["company"].tolist() == ["Synthetic Plant A", "Synthetic Plant A"]
    assert out["first_seen"].tolist() == [pd.Timestamp("2025-09-10 01:00"), pd.Timestamp("2025-09-15 02:00")]
    assert out["detections"].tolist() == [2, 1] and out["max_frp"].tolist() == [12.0, 3.0]
    assert set(out["status"]) == {"candidate for review"}
    static = geo.unreported_fires(detections, gdf, sites=SITES, km=1, days=2, include_static=True)
    assert "Synthetic Works B" in set(static["company"])


def test_unreported_fires_counts_registry_sites_without_coordinates():
    """Catches: registry sites placed at a settlement centre silently used, or left out uncounted."""
    registry = incidents.OwnershipRegistry.from_csv(FIXTURES / "synthetic_registry.csv", base=None)
    sites = geo.fires.registered_sites(registry)
    listed = sum(len(e.sites) for e in registry.entries)
    with_xy = sum(s.lat is not None and s.lon is not None for e in registry.entries for s in e.sites)
    assert len(sites) == with_xy and sites.attrs["sites_without_coordinates"] == listed - with_xy
