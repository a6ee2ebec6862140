"""tag_ownership and ownership_summary on small frames and the synthetic fixture registry."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import incidents
from incidents.ownership import OwnershipRegistry, ownership_summary, tag_ownership

# Synthetic Site Holdings has one site at (50.4000 N, 30.6000 E) in the fixture.
SITE = (50.4000, 30.6000)


@pytest.fixture(scope="module")
def registry() -> OwnershipRegistry:
    return OwnershipRegistry.from_csv("tests/fixtures/synthetic_registry.csv", base=None)


def frame(targets, points=None, **columns) -> gpd.GeoDataFrame:
    """An incident frame (only the columns a test needs) with optional (lat, lon) points."""
    points = points or [None] * len(targets)
    geometry = [None if p is None else shapely.Point(p[1], p[0]) for p in points]
    data = {"id": [f"synthetic-{i}" for i in range(len(targets))], "target": targets, **columns}
    return gpd.GeoDataFrame(data, geometry=geometry, crs="EPSG:4326")


def tag_one(registry, target, **kwargs) -> pd.Series:
    return tag_ownership(frame([target]), registry, **kwargs).iloc[0]


def test_mukachevo_flex_plant_is_us_owned_by_alias(registry):
    gdf = frame(["Flex plant"], points=[(48.4393, 22.7178)], place=["Mukachevo"], oblast=["UA-21"])
    row = tag_ownership(gdf, registry).iloc[0]
    assert (row.owner_company, row.owner_country, row.ownership_evidence) == ("Flex Ltd.", "US", "alias")
    assert row.sector == "electronics manufacturing"
    assert bool(row.foreign_owned) is True
    assert row.ownership_score == 95 and row.ownership_kind == "company"
    assert row.ownership_candidates == "Flex Ltd."


@pytest.mark.parametrize("text", [
    "reflex camera shop", "flexible pipes warehouse", "bird's nest on a roof", "Nest box factory",
    "Flexi gym", "shop of a flexographic printer", "Abbey road", "abb substation (lower case)",
    "Bunger street",  # one letter added to a five-letter name: 90.9 < 91
])
def test_word_parts_and_short_lookalikes_do_not_match(registry, text):
    row = tag_one(registry, text)
    assert pd.isna(row.owner_company) and pd.isna(row.ownership_evidence)
    assert pd.isna(row.ownership_candidates) and pd.isna(row.foreign_owned)


@pytest.mark.parametrize("text, company", [
    ("NESTLE warehouse", "Nestlé"),
    ("Nestlé's depot", "Nestlé"),
    ("склад Нестле", "Nestlé"),
    ("завод «Флекс» у Мукачеві", "Flex Ltd."),
    ("ФЛЕКС", "Flex Ltd."),
    ("Bunge's silo", "Bunge"),
    ("Bunge’s silo", "Bunge"),
    ("the Flex-plant", "Flex Ltd."),
    ("СОКАР filling station", "SOCAR"),
    ("State Oil Company of Azerbaijan Republic depot", "SOCAR"),
    ("ABB substation", "ABB"),
])
def test_case_script_diacritics_and_apostrophes_do_not_matter(registry, text, company):
    row = tag_one(registry, text)
    assert (row.owner_company, row.ownership_evidence) == (company, "alias")


def test_two_owners_in_one_record_are_ambiguous(registry):
    row = tag_one(registry, "Fire at the Flex plant and a SOCAR filling station")
    assert row.ownership_evidence == "ambiguous"
    assert pd.isna(row.owner_company) and pd.isna(row.owner_country)
    assert row.foreign_owned  # both candidates are foreign (US, AZ): foreign, whichever it is
    assert row.ownership_candidates == "Flex Ltd. | SOCAR"  # equal scores: by name
    assert pd.isna(row.ownership_score)


def test_an_ambiguous_record_says_which_owners_fit(registry):
    row = tag_one(registry, "Fire at the Flex plant and a SOCAR filling station")
    assert row.ownership_reason == "several owners fit: Flex Ltd. | SOCAR"


def test_values_that_are_not_text_are_searched_as_empty(registry):
    # Nested sources (GeoJSON properties, Parquet lists) can put lists or dicts in a column.
    given = tag_ownership(frame(["SOCAR depot", "Flex plant"], notes=[["Nestle"], {"owner": "Bunge"}]), registry)
    empty = tag_ownership(frame(["SOCAR depot", "Flex plant"], notes=["", ""]), registry)
    assert given["owner_company"].tolist() == empty["owner_company"].tolist() == ["SOCAR", "Flex Ltd."]


def test_first_field_with_a_hit_decides(registry):
    gdf = frame(["SOCAR oil depot"], notes=["A Flex warehouse nearby was not damaged."])
    row = tag_ownership(gdf, registry).iloc[0]
    assert (row.owner_company, row.ownership_evidence) == ("SOCAR", "alias")
    notes = ["Flex said the plant was not hit; SOCAR confirmed damage."]
    # With a target, names in the notes are sources or other strikes, not the site ...
    assert pd.isna(tag_ownership(frame(["oil depot"], notes=notes), registry).iloc[0].ownership_evidence)
    # ... without one (ACLED keeps its description in notes), the notes speak.
    assert tag_ownership(frame([""], notes=notes), registry).iloc[0].ownership_evidence == "ambiguous"


def test_subsidiary_and_its_registered_parent_count_as_one_owner(registry):
    row = tag_one(registry, "Syntelecom tower owned by Synthetic Telecom Group")
    assert (row.owner_company, row.owner_country, row.ownership_evidence) == (
        "Synthetic Telecom Ukraine", "NL", "alias")


def test_explicit_owner_is_kept_and_completed_from_the_registry(registry):
    gdf = frame(["SOCAR depot", "warehouse", "SOCAR depot"],
                owner_company=["Flextronics", "Some Unregistered Firm", None],
                owner_country=[None, "PL", None])
    out = tag_ownership(gdf, registry)
    assert out.owner_company.tolist()[:2] == ["Flextronics", "Some Unregistered Firm"]
    assert out.ownership_evidence.tolist() == ["explicit", "explicit", "alias"]
    assert out.ownership_score.tolist() == [100, 100, 95]
    assert out.owner_country.tolist() == ["US", "PL", "AZ"]  # looked up / kept / tagged
    assert out.foreign_owned.tolist() == [True, True, True]
    assert pd.isna(out.ownership_kind[1])  # the given firm is not in the registry


def test_overwrite_recomputes_from_the_registry(registry):
    gdf = frame(["SOCAR depot", "warehouse"], owner_company=["Flex", "Unregistered"],
                owner_country=["PL", "PL"], foreign_owned=pd.array([False, False], dtype="boolean"))
    out = tag_ownership(gdf, registry, overwrite=True)
    # The given owner_company is searched first, so "Flex" wins over the target's SOCAR.
    assert out.owner_company.iloc[0] == "Flex Ltd." and out.owner_country.iloc[0] == "US"
    assert out.ownership_evidence.iloc[0] == "alias" and bool(out.foreign_owned.iloc[0]) is True
    assert pd.isna(out.owner_company.iloc[1]) and pd.isna(out.foreign_owned.iloc[1])


def test_given_foreign_owned_and_sector_win_without_overwrite(registry):
    gdf = frame(["SOCAR depot"], sector=["fuel storage"],
                foreign_owned=pd.array([False], dtype="boolean"))
    row = tag_ownership(gdf, registry).iloc[0]
    assert row.sector == "fuel storage" and bool(row.foreign_owned) is False
    assert row.owner_country == "AZ"


def test_domestic_company_is_not_foreign_and_vessel_flags_are_marked(registry):
    out = tag_ownership(frame(["Синтмарт supermarket", "Synthflag vessel at berth"]), registry)
    assert out.owner_country.tolist() == ["UA", "PA"]
    assert out.foreign_owned.tolist() == [False, True]
    assert out.ownership_kind.tolist() == ["company", "vessel_flag"]


def test_fuzzy_near_miss_scores_below_alias(registry):
    out = tag_ownership(frame(["Flextronic factory", "Flextronics factory"]), registry)
    assert out.owner_company.tolist() == ["Flex Ltd.", "Flex Ltd."]
    assert out.ownership_evidence.tolist() == ["fuzzy", "alias"]
    assert 70 <= out.ownership_score[0] < out.ownership_score[1] == 95
    # At a threshold above the near miss's ratio (95.2) nothing is claimed.
    assert pd.isna(tag_ownership(frame(["Flextronic factory"]), registry, fuzzy_threshold=96)
                   .ownership_evidence[0])
    assert pd.isna(tag_ownership(frame(["Flextronic factory"]), registry, fuzzy_threshold=None)
                   .ownership_evidence[0])


def test_site_proximity_is_weaker_than_an_alias(registry):
    near = (SITE[0] + 0.009, SITE[1])  # about 1.0 km north of the site
    gdf = frame(["warehouse", "SOCAR warehouse", "warehouse", "warehouse"],
                points=[near, near, (SITE[0] + 0.027, SITE[1]), near],
                location_precision=["exact", "exact", "exact", "settlement"])
    out = tag_ownership(gdf, registry)
    assert out.ownership_evidence.tolist()[:2] == ["site_proximity", "alias"]
    assert out.owner_company.tolist()[:2] == ["Synthetic Site Holdings", "SOCAR"]
    assert 40 <= out.ownership_score[0] < out.ownership_score[1]
    assert pd.isna(out.ownership_evidence[2])  # ~3 km away, beyond the 2 km default
    assert pd.isna(out.ownership_evidence[3])  # a settlement centroid is not the site
    wider = tag_ownership(gdf, registry, site_km=5)
    assert wider.ownership_evidence[2] == "site_proximity"
    assert wider.ownership_score[2] < wider.ownership_score[0]  # farther is weaker


def test_nothing_is_dropped_and_the_input_is_untouched(registry):
    gdf = frame(["Flex plant", None, ""], notes=[None, "SOCAR", float("nan")], extra=[1, 2, 3])
    before = gdf.copy()
    out = tag_ownership(gdf, registry)
    pd.testing.assert_frame_equal(gdf, before)
    assert len(out) == 3 and out.id.tolist() == gdf.id.tolist() and out.extra.tolist() == [1, 2, 3]
    assert out.columns[-1] == "geometry" and out.crs == gdf.crs
    assert out.owner_company.tolist()[:2] == ["Flex Ltd.", "SOCAR"]


def test_already_tagged_records_are_left_alone(registry):
    once = tag_ownership(frame(["Flex plant"]), registry)
    twice = tag_ownership(once, registry)
    assert twice.ownership_evidence[0] == "alias" and twice.ownership_score[0] == 95


def test_plain_dataframe_with_latitude_longitude_works(registry):
    df = pd.DataFrame({"target": ["depot"], "latitude": [SITE[0]], "longitude": [SITE[1]]})
    row = tag_ownership(df, registry).iloc[0]
    assert (row.owner_company, row.ownership_evidence, row.ownership_score) == (
        "Synthetic Site Holdings", "site_proximity", 60)


def test_bad_arguments_are_refused(registry):
    with pytest.raises(ValueError, match="fuzzy_threshold"):
        tag_ownership(frame(["x"]), registry, fuzzy_threshold=120)
    with pytest.raises(ValueError, match="site_km"):
        tag_ownership(frame(["x"]), registry, site_km=-1)


def test_summary_counts_per_country_sector_and_company(registry):
    gdf = frame(["Flex plant", "Flex plant", "SOCAR depot", "Synthflag vessel", "school"],
                killed=pd.array([0, 2, None, 1, 4], dtype="Int64"))
    summary = ownership_summary(tag_ownership(gdf, registry))
    assert set(summary) == {"owner_country", "sector", "company"}
    countries = summary["owner_country"]
    assert countries["incidents"].to_dict() == {"US": 2, "AZ": 1, "PA": 1, "(unknown)": 1}
    assert countries.loc["US", "killed"] == 2 and countries.loc["US", "country_name"] == "United States"
    assert countries["foreign_owned"].to_dict() == {"US": 2, "AZ": 1, "PA": 1, "(unknown)": 0}
    assert summary["company"]["incidents"].sum() == 5
    assert summary["sector"].loc["fuel", "incidents"] == 1
    investors = ownership_summary(tag_ownership(gdf, registry), include_vessel_flags=False)
    assert "PA" not in investors["owner_country"].index


def test_public_names_are_exported_from_incidents():
    assert incidents.tag_ownership is tag_ownership
    assert incidents.ownership_summary is ownership_summary
    assert incidents.OwnershipRegistry is OwnershipRegistry


def test_shipped_registry_on_the_shipped_sample_targets_alone():
    """Real incidents, target text only: the sourced owner country must come out, and
    domestic sites must never be tagged foreign (vessel flags are not owners: skipped)."""
    sample = incidents.sample()
    out = tag_ownership(pd.DataFrame({"target": sample["target"]}))
    given, tagged = sample["owner_country"].astype(object), out["owner_country"].astype(object)
    compared = given.notna() & tagged.notna() & (out["ownership_kind"].astype(object) != "vessel_flag")
    assert compared.sum() >= 15
    wrong = sample.loc[compared & (given != tagged), ["id", "target"]]
    assert wrong.empty, f"owner country differs from the sourced one:\n{wrong}"
    domestic = (given == "UA").to_numpy()
    assert domestic.sum() >= 3
    assert not out["foreign_owned"].fillna(False).to_numpy()[domestic].any()


def test_user_registry_merged_over_base_changes_the_tags(tmp_path, registry):
    path = tmp_path / "synthetic_user.csv"
    path.write_text("company,aliases,owner_country,source_url\n"
                    "Synthetic Bakery,Хлібзавод Синтетик,PL,https://example.org/synthetic/bakery\n",
                    encoding="utf-8")
    merged = OwnershipRegistry.from_csv(path, base=registry)
    out = tag_ownership(frame(["Хлібзавод «Синтетик»", "Flex plant"]), merged)
    assert out.owner_company.tolist() == ["Synthetic Bakery", "Flex Ltd."]
    assert out.owner_country.tolist() == ["PL", "US"]


_WORDS = ["Flex", "flexible", "SOCAR", "Nestlé", "nest", "plant", "depot", "Kyiv", "Мукачево",
          "Флекс", "Flextronic", "Synthmart", "ABB", "abb", "the", "'s", "-", ",", "Bunge"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), max_size=8).map(" ".join), min_size=1, max_size=6))
def test_tags_are_consistent_for_any_text(registry, texts):
    out = tag_ownership(frame(texts), registry)
    assert out.target.tolist() == texts  # nothing dropped or reordered
    for row in out.itertuples():
        candidates = row.ownership_candidates.split(" | ") if isinstance(row.ownership_candidates, str) else []
        if isinstance(row.owner_company, str):
            assert candidates == [row.owner_company]
            assert row.ownership_evidence in ("alias", "fuzzy")
        else:
            assert len(candidates) != 1
            assert pd.isna(row.ownership_evidence) or row.ownership_evidence == "ambiguous"


# Found by mutation testing (make mutate, docs/mutation.md).

def test_a_company_with_two_sites_scores_by_the_nearer_one(tmp_path):
    """Bug: when an incident lies within reach of two sites of one company, the score comes
    from the farther site (the duplicate kept is the weaker one)."""
    path = tmp_path / "registry.csv"
    path.write_text(
        "company,aliases,owner_country,hq_country,parent_company,sector,kind,sites,source_url,notes\n"
        "Twin Depots Ltd.,,DE,,,logistics,company,"
        "Depot A;UA-32;50.4000;30.6000 | Depot B;UA-32;50.4045;30.6000,"
        "https://example.org/synthetic/twin,SYNTHETIC test entry\n", encoding="utf-8")
    registry = OwnershipRegistry.from_csv(path, base=None)
    row = tag_ownership(frame(["depot"], points=[(50.4045, 30.6000)]), registry).iloc[0]
    # At depot B itself (0 km): the top score, 60; depot A, 0.5 km away, would give 55.
    assert (row.owner_company, row.ownership_evidence, row.ownership_score) == ("Twin Depots Ltd.", "site_proximity", 60)


def test_a_frame_of_coordinates_alone_is_matched_to_sites(registry):
    """Bug: latitude/longitude are only read when the frame has other columns too."""
    row = tag_ownership(pd.DataFrame({"latitude": [SITE[0]], "longitude": [SITE[1]]}), registry).iloc[0]
    assert (row.owner_company, row.ownership_evidence) == ("Synthetic Site Holdings", "site_proximity")


@pytest.mark.parametrize("threshold", [0, 100])
def test_fuzzy_threshold_accepts_both_ends_of_its_range(registry, threshold):
    """Bug: the documented range 0-100 refuses one of its own ends."""
    assert tag_one(registry, "Flex plant", fuzzy_threshold=threshold).owner_company == "Flex Ltd."


def test_a_projected_frame_is_matched_to_sites_like_degrees(registry):
    """Bug: site proximity reading metres (EPSG:3857) as degrees; nothing would be near."""
    near = (SITE[0] + 0.009, SITE[1])  # about 1.0 km north of the site
    gdf = frame(["depot"], points=[near], location_precision=["exact"]).to_crs("EPSG:3857")
    row = tag_ownership(gdf, registry).iloc[0]
    assert (row.owner_company, row.ownership_evidence) == ("Synthetic Site Holdings", "site_proximity")
