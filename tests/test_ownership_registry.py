"""The ownership registry: reading, validation messages, merging, and the shipped file."""

from __future__ import annotations

import importlib.resources
import re
import textwrap

import pytest

from incidents.errors import IncidentDataError
from incidents.ownership import KINDS, OwnershipRegistry
from incidents.countries import ISO_ALPHA2

FIXTURES = "tests/fixtures"
HEADER = "company,aliases,owner_country,registered_country,parent_company,sector,kind,sites,source_url,notes\n"
SHIPPED = importlib.resources.files("incidents") / "data" / "foreign_owners.csv"


def write_registry(tmp_path, body: str, name: str = "synthetic_user_registry.csv"):
    path = tmp_path / name
    path.write_text(HEADER + textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


def problems_of(excinfo) -> set[tuple[int, str]]:
    return {(p.row, p.field) for p in excinfo.value.problems}


def test_fixture_registry_reads_every_field():
    reg = OwnershipRegistry.from_csv(f"{FIXTURES}/synthetic_registry.csv", base=None)
    assert len(reg) == 10
    flex = reg.entry_for("Flextronics")
    assert (flex.company, flex.owner_country, flex.registered_country, flex.kind) == ("Flex Ltd.", "US", "SG", "company")
    assert flex.aliases == ("Flex", "Flextronics", "Флекс")
    assert flex.source_urls == ("https://example.org/synthetic/flex",)
    assert flex.row == 2  # the first line after the header
    site = reg.entry_for("Synthsite").sites[0]
    assert (site.settlement, site.oblast, site.lat, site.lon) == ("Synthetic Village", "UA-32", 50.4, 30.6)
    assert reg.entry_for("Flex").sites[0].lat is None  # settlement known, coordinates not
    assert reg.entry_for("synthflag vessel").kind == "vessel_flag"


def test_entry_lookup_folds_case_script_and_diacritics():
    reg = OwnershipRegistry.from_csv(f"{FIXTURES}/synthetic_registry.csv", base=None)
    assert reg.entry_for("ФЛЕКС").company == "Flex Ltd."
    assert reg.entry_for("nestle").company == "Nestlé"
    assert reg.entry_for("Nest") is None


@pytest.mark.parametrize("row, field, reason", [
    ("Acme,Acme Ukraine,USA,,,retail,company,,https://example.org/a,", "owner_country", "ISO 3166-1"),
    ("Acme,Acme Ukraine,XX,,,retail,company,,https://example.org/a,", "owner_country", "ISO 3166-1"),
    ("Acme,Acme Ukraine,US,us,,retail,company,,https://example.org/a,", "registered_country", "ISO 3166-1"),
    ("Acme,Acme Ukraine |  | Acme UA,US,,,retail,company,,https://example.org/a,", "aliases", "empty alias"),
    ("Acme,Acme Ukraine |,US,,,retail,company,,https://example.org/a,", "aliases", "empty alias"),
    ("Acme,Acme Ukraine,US,,,retail,company,,ftp://example.org/a,", "source_url", "http(s)"),
    ("Acme,Acme Ukraine,US,,,retail,company,,javascript:alert(1),", "source_url", "http(s)"),
    ("Acme,Acme Ukraine,US,,,retail,company,,,", "source_url", "empty"),
    ("Acme,Acme Ukraine,US,,,retail,bank,,https://example.org/a,", "kind", "not one of"),
    ("Acme,,US,,,retail,company,Lviv;UA-46;49.8,https://example.org/a,", "sites", "4 parts"),
    ("Acme,,US,,,retail,company,Lviv;Lviv oblast;;,https://example.org/a,", "sites", "ISO 3166-2:UA"),
    ("Acme,,US,,,retail,company,Paris;UA-46;48.85;2.35,https://example.org/a,", "sites", "outside Ukraine"),
    (",Acme Ukraine,US,,,retail,company,,https://example.org/a,", "company", "is empty"),
])
def test_bad_rows_are_reported_with_line_and_field(tmp_path, row, field, reason):
    path = write_registry(tmp_path, f"Synthetic Good Co,Goodco,DE,,,retail,company,,https://example.org/g,\n{row}\n")
    with pytest.raises(IncidentDataError) as excinfo:
        OwnershipRegistry.from_csv(path, base=None)
    assert problems_of(excinfo) == {(3, field)}
    message = str(excinfo.value)
    assert f"row 3, {field}" in message and reason in message


def test_alias_claimed_by_two_companies_names_both_rows(tmp_path):
    path = write_registry(tmp_path, """
        Synthetic Alpha,Alpha | Shared Name,DE,,,retail,company,,https://example.org/a,
        Synthetic Beta,SHARED  NAME,FR,,,retail,company,,https://example.org/b,
    """)
    with pytest.raises(IncidentDataError) as excinfo:
        OwnershipRegistry.from_csv(path, base=None)
    assert problems_of(excinfo) == {(3, "aliases")}
    assert "also names 'Synthetic Alpha' (row 2)" in str(excinfo.value)


def test_every_problem_is_reported_at_once_with_file_lines(tmp_path):
    # A quoted newline inside notes makes row 3 span two lines, then a blank line: the
    # next row is line 6 of the file.
    path = write_registry(tmp_path, """
        Synthetic One,One,ZZ,,,retail,company,,https://example.org/1,
        Synthetic Two,Two,DE,,,retail,company,,https://example.org/2,"two
        lines"

        Synthetic Three,Three,DE,,,retail,company,,mailto:x@example.org,
    """)
    with pytest.raises(IncidentDataError) as excinfo:
        OwnershipRegistry.from_csv(path, base=None)
    assert problems_of(excinfo) == {(2, "owner_country"), (6, "source_url")}


def test_missing_required_column_is_a_file_level_error(tmp_path):
    path = tmp_path / "synthetic_no_source.csv"
    path.write_text("company,aliases,owner_country\nAcme,,US\n", encoding="utf-8")
    with pytest.raises(IncidentDataError, match="source_url: required column is missing"):
        OwnershipRegistry.from_csv(path, base=None)


def test_merge_lays_user_rows_over_the_base_and_replace_ignores_it(tmp_path):
    base = OwnershipRegistry.from_csv(f"{FIXTURES}/synthetic_registry.csv", base=None)
    path = write_registry(tmp_path, """
        Flex Ltd.,Flex,SG,,,electronics,company,,https://example.org/user-flex,user's correction
        Synthetic Newco,Oleina,IT,,,food,company,,https://example.org/newco,takes the alias from Bunge
    """)
    merged = OwnershipRegistry.from_csv(path, base=base)
    assert len(merged) == len(base) + 1
    assert merged.entry_for("Flex").owner_country == "SG"
    assert merged.entry_for("Flextronics") is None  # the user's Flex row has no such alias
    assert merged.entry_for("Oleina").company == "Synthetic Newco"
    assert merged.entry_for("Bunge").company == "Bunge"  # keeps its own name
    assert merged.entry_for("SOCAR").owner_country == "AZ"  # untouched base entry
    replaced = OwnershipRegistry.from_csv(path, base=base, mode="replace")
    assert [e.company for e in replaced.entries] == ["Flex Ltd.", "Synthetic Newco"]
    with pytest.raises(ValueError, match="mode"):
        OwnershipRegistry.from_csv(path, base=base, mode="append")


def test_iso_list_is_complete():
    # ISO 3166-1 has 249 officially assigned alpha-2 codes (pycountry carries the table).
    assert len(ISO_ALPHA2) == 249
    assert {"UA", "US", "AZ", "CN", "PA", "LR", "BZ", "PW"} <= ISO_ALPHA2
    assert not {"EU", "UK", "XK"} & ISO_ALPHA2


def test_shipped_registry_rows_have_iso_codes_and_http_sources():
    # Read the file independently of the loader, so a loader bug cannot hide a bad row.
    import csv
    with SHIPPED.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 60
    for row in rows:
        where = f"{row['company']!r}"
        for column in ("owner_country", "registered_country"):
            assert row[column] == "" or row[column] in ISO_ALPHA2, f"{where}: {column} {row[column]!r}"
        urls = [u.strip() for u in row["source_url"].split("|")]
        assert urls and all(re.fullmatch(r"https?://[^\s/]+\S*", u) for u in urls), f"{where}: {urls}"
        assert (row["kind"] or "company") in KINDS, where


def test_shipped_registry_loads_and_is_cached():
    reg = OwnershipRegistry.shipped()
    assert len(reg) >= 60
    assert reg is OwnershipRegistry.shipped()
    flex = reg.entry_for("Флекс")
    assert flex is not None and flex.owner_country == "US"
    assert reg.entry_for("SOCAR").owner_country == "AZ"
