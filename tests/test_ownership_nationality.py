"""Country evidence (incidents.ownership.nationality) in English, Ukrainian and Russian,
the domestic controls, and the sample round trip through the shipped registry."""

from __future__ import annotations

import pandas as pd
import pytest

import incidents
from incidents.ownership import tag_ownership
from incidents.ownership.nationality import CountryRules


@pytest.fixture(scope="module")
def rules():
    return CountryRules.shipped()


@pytest.mark.parametrize("text, code, rule", [
    # nationality: English
    ("Russian missiles hit the Swedish company's bearing plant", "SE", "nationality"),
    ("a Polish factory in Lviv oblast", "PL", "nationality"),
    ("a Polish window factory", "PL", "nationality"),
    ("U.S. manufacturer of electronics", "US", "nationality"),
    ("a mall built with Lithuanian capital", "LT", "nationality"),
    ("a Turkish-owned vessel", "TR", "nationality"),
    ("the refinery, owned by the Russian state oil company", "RU", "nationality"),
    ("a foreign company's warehouse", "", "nationality"),
    # nationality: Ukrainian and Russian, any case ending
    ("удар по шведському заводу", "SE", "nationality"),
    ("польське підприємство", "PL", "nationality"),
    ("склад німецької компанії", "DE", "nationality"),
    ("склад немецкой компании", "DE", "nationality"),
    ("турецкое судно", "TR", "nationality"),
    ("іноземна компанія", "", "nationality"),
    # missions
    ("Embassy of Poland", "PL", "mission"),
    ("the Polish consulate in Odesa", "PL", "mission"),
    ("honorary consulate of Slovenia", "SI", "mission"),
    ("посольство Польщі", "PL", "mission"),
    ("польське консульство", "PL", "mission"),
    ("генконсульство Румынии", "RO", "mission"),
    ("Apostolic Nunciature in Kyiv", "VA", "mission"),
    ("a building housing six embassies", "", "mission"),
    # flags
    ("Panama-flagged bulk carrier", "PA", "vessel_flag"),
    ("sailing under the Liberian flag", "LR", "vessel_flag"),
    ("flying the flag of Malta", "MT", "vessel_flag"),
    ("tanker Millennial Spirit (Moldova flag)", "MD", "vessel_flag"),
    ("під прапором Панами", "PA", "vessel_flag"),
    ("под флагом Либерии", "LR", "vessel_flag"),
])
def test_each_rule_in_three_languages(rules, text, code, rule):
    found = rules.find(text)
    assert found, text
    assert (found[0].code, found[0].rule) == (code, rule)


@pytest.mark.parametrize("text", [
    "Russian missile plant", "російський завод", "Polish volunteers were injured", "American weapons",
    "residential building in Lviv", "Turkey said the talks would continue", "a Nova Poshta depot",
    "foreign-flagged vessel rows", "Chad Smith", "Georgia on my mind", "The Dominican",
])
def test_no_country_without_its_context(rules, text):
    assert rules.find(text) == [], text


@pytest.mark.parametrize("target", [
    "Roshen confectionery factory", "Nova Poshta terminal", "Silpo supermarket", "Epicentr hypermarket",
    "ATB store", "Metinvest plant", "Kernel oil extraction plant", "Ukrposhta sorting centre",
    "Ukrainian company Nova Poshta warehouse", "an Ukrzaliznytsia depot, reported by Reuters",
])
def test_domestic_controls_stay_domestic(target):
    row = tag_ownership(pd.DataFrame({"target": [target]})).iloc[0]
    assert pd.isna(row.foreign_owned) or not bool(row.foreign_owned)
    assert row.owner_country in ("UA", None) or pd.isna(row.owner_country), (target, row.owner_country)


def test_a_named_company_wins_over_a_country_word():
    row = tag_ownership(pd.DataFrame({"target": ["German company Knauf's plant in Soledar"]})).iloc[0]
    assert (row.owner_company, row.owner_country, row.ownership_evidence) == ("Knauf", "DE", "alias")


def test_country_evidence_gives_no_company_and_says_why():
    row = tag_ownership(pd.DataFrame({"target": ["a Polish factory"], "notes": [""]})).iloc[0]
    assert pd.isna(row.owner_company) and row.owner_country == "PL" and row.foreign_owned
    assert (row.ownership_evidence, row.ownership_score) == ("nationality", 75)
    assert row.ownership_reason == "target: 'Polish factory'"


def test_the_first_column_with_a_country_decides_each_record():
    notes = "Polish and Lithuanian investors' plant nearby was also hit"  # ambiguous alone
    frame = pd.DataFrame({"target": ["a Swedish company's warehouse", "warehouse", "a Swedish company's warehouse"],
                          "notes": [notes, notes, ""]})
    out = tag_ownership(frame)
    assert out["owner_country"].tolist()[::2] == ["SE", "SE"] and pd.isna(out["owner_country"][1])
    assert out["ownership_evidence"].tolist() == ["nationality", "ambiguous", "nationality"]
    # The notes' two countries are candidates only where no earlier column decided.
    assert out["ownership_candidates"].isna().tolist() == [True, False, True]
    assert out["ownership_reason"][0] == "target: 'Swedish company'"


def test_two_countries_by_the_same_rule_are_ambiguous():
    row = tag_ownership(pd.DataFrame({"target": ["Polish and Lithuanian investors' plant"]})).iloc[0]
    assert row.ownership_evidence == "ambiguous" and pd.isna(row.owner_country)
    assert row.ownership_candidates == "LT | PL"


def test_title_and_source_text_columns_are_searched():
    frame = pd.DataFrame({"target": [""], "title": ["Strike on a Swedish company's plant"], "notes": [""],
                          "source_text": [""]})
    assert tag_ownership(frame).iloc[0].owner_country == "SE"
    frame = pd.DataFrame({"target": [""], "notes": [""], "source_text": ["Embassy of Qatar damaged"]})
    assert tag_ownership(frame).iloc[0].owner_country == "QA"


#: Foreign rows the tagger cannot find from their own text, and why (checked by the test).


def test_every_owner_named_in_the_sample_is_in_the_registry_or_a_rule():
    sample = incidents.sample()
    named = sample[sample["owner_company"].notna()]
    out = tag_ownership(named[["owner_company"]].rename(columns={"owner_company": "target"}))
    missing = named.loc[out["ownership_evidence"].isna().to_numpy(), "owner_company"]
    # "private households" and state bodies are not owners the registry lists.
    missing = missing[~missing.str.contains("households|State of Ukraine|Administration|port$|not named|not stated",
                                            case=False)]
    assert missing.empty, f"sample owners the registry does not know:\n{missing.to_string()}"


def test_the_sample_round_trip_finds_the_foreign_rows_from_their_own_text():
    sample = incidents.sample()
    out = tag_ownership(sample[["id", "target", "notes"]])
    foreign = sample["foreign_owned"].fillna(False).astype(bool).to_numpy()
    found = out["foreign_owned"].fillna(False).astype(bool).to_numpy()
    missed = set(sample.loc[foreign & ~found, "id"])
    assert not missed, f"foreign rows the tagger misses from their own text: {sorted(missed)}"
    print(f"\nsample round trip: {int((foreign & found).sum())} of {int(foreign.sum())} foreign rows found")
    domestic = ((sample["owner_country"] == "UA") | (sample["foreign_owned"] == False)).fillna(False).to_numpy(bool)  # noqa: E712
    assert not (domestic & found).any(), sample.loc[domestic & found, "id"].tolist()
