"""Ownership evidence from the words a report uses for a country, when it names no company.

Three rules, in English, Ukrainian and Russian, over the country words of
``incidents/data/country_words.csv`` (names and nationality words of every ISO country; see
``scripts/build_country_words.py``):

==================  =====  ================================================================
rule                score  examples
==================  =====  ================================================================
``mission``         90     "Embassy of Poland", "the Polish consulate", "honorary consulate
                           of Slovenia", "посольство Польщі", "польське консульство",
                           "генконсульство Румынии", "Apostolic Nunciature"
``vessel_flag``     85     "Panama-flagged", "under the Liberian flag", "flag of Malta",
                           "під прапором Панами", "под флагом Либерии"
``nationality``     75     "Swedish company SKF", "a Polish factory", "U.S. manufacturer",
                           "Lithuanian capital", "Turkish-owned vessel", "шведський завод",
                           "польське підприємство", "немецкой компании"
==================  =====  ================================================================

The nationality rule needs a site or owner word right after the country word (one word may
stand between: "a Polish window factory"), so "Polish volunteers" or "American weapons" say
nothing about a site. "Russian", "Belarusian" and "Ukrainian" count only as owners
("Russian-owned", "a Ukrainian company"): a "Russian missile plant" is a plant in Russia.
A country gives owner_country only: the company stays empty unless a name matches.

Example:
    >>> rules = CountryRules.shipped()
    >>> [(f.code, f.rule) for f in rules.find("Russian missiles hit the Swedish company's bearing plant")]
    [('SE', 'nationality')]
    >>> [(f.code, f.rule) for f in rules.find("Панамський суховантаж під прапором Панами")]
    [('PA', 'vessel_flag'), ('PA', 'nationality')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from incidents.ownership.matching import trie_regex

WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "country_words.csv"
SCORES = {"mission": 90, "vessel_flag": 85, "nationality": 75}
#: Countries whose nationality word is read as an owner only with an owner word.
OWNER_WORD_ONLY = {"RU", "BY", "UA"}

_SITE_EN = (r"compan(?:y|ies)|firm|manufacturer|maker|producer|investors?|capital|group|corporation|concern|"
            r"holding|business|plant|factory|facility|facilities|enterprise|warehouses?|terminals?|store|shop|"
            r"supermarket|hypermarket|mall|shopping (?:centre|center|mall)|depot|oil depot|refinery|hotel|bank|"
            r"office|vessel|ship|tanker|bulk carrier|freighter|cargo ship|container ship|ferry|brewery|"
            r"distillery|mill|elevator|silos?|agroholding|retailer|chain|operator|site|premises|subsidiary|"
            r"owners?|brand|multinational|producer")
_OWNER_EN = r"compan(?:y|ies)|firm|investors?|capital|group|corporation|concern|holding|owners?|businessman"
_SITE_UK = (r"компані|підприєм|завод|фабрик|склад|термінал|судн|суден|корабл|танкер|інвестор|капітал|"
            r"магазин|супермаркет|гіпермаркет|торгов\w* центр|нафтобаз|елеватор|готел|банк|офіс|виробни|"
            r"концерн|груп|холдинг|агрохолдинг|мереж|оператор|суховантаж|контейнеровоз|пором|бізнес|власни")
_SITE_RU = (r"компани|предприят|завод|фабрик|склад|терминал|судн|суден|корабл|танкер|инвестор|капитал|"
            r"магазин|супермаркет|гипермаркет|торгов\w* центр|нефтебаз|элеватор|гостиниц|отел|банк|офис|"
            r"производ|концерн|групп|холдинг|агрохолдинг|сет[иь]|оператор|сухогруз|контейнеровоз|паром|бизнес|"
            r"владел")
_OWNER_CYR = r"компані|компани|інвестор|инвестор|капітал|капитал|власни|владел|бізнес|бизнес|концерн|холдинг|груп"
_MISSION_EN = (r"embassy|embassies|consulate(?:[- ]general)?|consulates|honorary consulate|consular office|"
               r"diplomatic mission|visa (?:centre|center|office)|nunciature")
_MISSION_CYR = (r"посольств|консульств|генконсульств|генеральн\w* консульств|почесн\w* консульств|"
                r"почетн\w* консульств|дипмісі|дипмисси|дипломатичн\w* місі|дипломатическ\w* мисси|нунціатур|нунциатур")


@dataclass(frozen=True)
class CountryFinding:
    """One country a text gives for a site: its code, the rule and the words that said it."""

    code: str
    rule: str
    phrase: str
    start: int

    @property
    def score(self) -> int:
        return SCORES[self.rule]


def _alternation(words) -> str:
    return trie_regex(sorted({w.lower() for w in words}))


def _stem(word: str) -> str:
    """A Cyrillic name's stem, so that its case forms match: Польща/Польщі, Франція/Франції."""
    return word[:-1] if len(word) > 4 and word[-1].lower() in "аяоеиіїйьы" else word


class CountryRules:
    """The three rules compiled from a country-words table (code, lang, kind, word)."""

    def __init__(self, words: pd.DataFrame):
        words = words.assign(key=words["word"].str.lower())
        # A word that names two countries ("Dominican", "Congolese") names neither.
        words = words[words.groupby("key")["code"].transform("nunique") == 1]
        self._code = dict(zip(words["key"], words["code"]))
        en = words[words["lang"] == "en"]
        cyr = words[words["lang"] != "en"]
        plain_en = en[en["kind"] != "context_only"]
        any_en, adj_en = _alternation(en["word"]), _alternation(plain_en["word"])
        names_cyr = cyr[cyr["kind"] == "name"]
        self._stems = {_stem(w).lower(): c for w, c in zip(names_cyr["word"], names_cyr["code"]) if " " not in w}
        self._stems |= {w.lower(): c for w, c in zip(cyr.loc[cyr["kind"] == "adjective", "word"],
                                                     cyr.loc[cyr["kind"] == "adjective", "code"])}
        name_cyr = _alternation(_stem(w) for w in names_cyr["word"] if " " not in w)
        adj_cyr = _alternation(cyr.loc[cyr["kind"] == "adjective", "word"])
        owned = r"(?:-(?:owned|based|registered|controlled|headquartered|operated))"
        flags = re.IGNORECASE
        adjective_en = re.compile(rf"\b(?P<c>{adj_en}){owned}?\s+(?:[\w-]+\s+)?(?:{_SITE_EN})\b", flags)
        adjective_cyr = re.compile(rf"(?P<c>(?:{adj_cyr})\w*)\s+(?:[^\W\d_]+\s+)?(?:{_SITE_UK}|{_SITE_RU})", flags)
        #: The rules where a country word next to a site word is read as the owner.
        self._site_word_rules = (adjective_en, adjective_cyr)
        self._rules = [
            ("mission", re.compile(rf"\b(?:{_MISSION_EN})\s+(?:of|for)\s+(?:the\s+)?(?P<c>{any_en})\b", flags)),
            ("mission", re.compile(rf"\b(?P<c>{any_en})(?:'s)?\s+(?:honorary\s+)?(?:{_MISSION_EN})\b", flags)),
            ("mission", re.compile(r"\b(?P<c>apostolic nunciature|нунціатур\w*|нунциатур\w*)", flags)),
            ("mission", re.compile(rf"(?:{_MISSION_CYR})\w*\s+(?P<c>(?:{name_cyr})\w*)", flags)),
            ("mission", re.compile(rf"(?P<c>(?:{adj_cyr})\w*)\s+(?:почесн\w*\s+|почетн\w*\s+)?(?:{_MISSION_CYR})", flags)),
            ("vessel_flag", re.compile(rf"\b(?P<c>{any_en})[- ]flagged\b", flags)),
            ("vessel_flag", re.compile(rf"\bunder\s+(?:the\s+|a\s+)?(?P<c>{any_en})\s+flag\b", flags)),
            ("vessel_flag", re.compile(rf"\bflag\s+of\s+(?:the\s+)?(?P<c>{any_en})\b", flags)),
            ("vessel_flag", re.compile(rf"(?:під\s+прапором|под\s+флагом)\s+(?P<c>(?:{name_cyr})\w*)", flags)),
            ("vessel_flag", re.compile(rf"\b(?P<c>{any_en})\s+flag\b", flags)),
            ("vessel_flag", re.compile(rf"\bflag(?:\s+state)?\s*(?:is|:)?\s*\(?(?:the\s+)?(?P<c>{any_en})\b", flags)),
            ("nationality", adjective_en),
            ("nationality", re.compile(rf"\b(?P<c>{any_en}){owned}\b", flags)),
            # "Polish and Lithuanian investors": the first country word shares the site word.
            ("nationality", re.compile(rf"\b(?P<c>{adj_en})\s+(?:and|&)\s+(?=(?:{adj_en})\s+(?:[\w-]+\s+)?(?:{_SITE_EN})\b)",
                                       flags)),
            ("nationality", re.compile(rf"\b(?:owned|operated|run)\s+by\s+(?:an?\s+|the\s+)?(?P<c>{adj_en})\b", flags)),
            # Foreign, country not named: "foreign-owned", "a foreign company", "іноземна компанія".
            ("nationality", re.compile(r"(?P<c>\bforeign(?=-owned|\s+(?:compan|investor|owner|capital|tug|vessel|ship))|"
                                       r"іноземн\w*(?=\s+(?:компані|інвестор|власни|капітал))|"
                                       r"иностранн\w*(?=\s+(?:компани|инвестор|владел|капитал)))", flags)),
            # "housing six embassies": a mission whose country is not named is still foreign.
            ("mission", re.compile(r"\b(?P<c>embass(?:y|ies)|consulates?|посольств\w*|консульств\w*)", flags)),
            ("nationality", adjective_cyr),
        ]
        # Most texts name no country at all: one pass over each decides that.
        self._any = re.compile(rf"(?<!\w)(?:{any_en}|{name_cyr}|{adj_cyr}|нунці|нунци|foreign|іноземн|иностранн|"
                               r"embass|consulate|nunciature|посольств|консульств)")  # on lower-cased text
        self._owner_only = re.compile(rf"(?:{owned}|\s+(?:{_OWNER_EN}|{_OWNER_CYR}))", flags)

    @classmethod
    def shipped(cls) -> "CountryRules":
        return _shipped()

    def code_of(self, text: str) -> str | None:
        """The country code a matched word names ("" for a foreign country not named)."""
        key = text.lower()
        if key.startswith(("foreign", "іноземн", "иностранн", "embass", "consulate", "посольств", "консульств")):
            return ""
        if key in self._code:
            return self._code[key]
        if "нунці" in key or "нунци" in key or key == "apostolic nunciature":
            return "VA"
        stems = [s for s in self._stems if key.startswith(s)]
        return self._stems[max(stems, key=len)] if stems else None

    def find(self, text: str) -> list[CountryFinding]:
        """Every country the text gives for a site, strongest rule first, then in reading order."""
        found = []
        if not self._any.search(text.lower()):
            return found
        for rule, pattern in self._rules:
            for match in pattern.finditer(text):
                code = self.code_of(match.group("c"))
                if code is None or (code == "" and any(f.rule == rule for f in found)):
                    continue
                if pattern in self._site_word_rules and code in OWNER_WORD_ONLY and \
                        not self._owner_only.match(text, match.end("c")):
                    continue
                found.append(CountryFinding(code, rule, match.group(0), match.start()))
        order = list(SCORES)
        return sorted(found, key=lambda f: (order.index(f.rule), f.start))


@cache
def _shipped() -> CountryRules:
    return CountryRules(pd.read_csv(WORDS_FILE, dtype=str, keep_default_na=False))


# ---- applying the rules to a frame (used by incidents.ownership.tagging) ----------------

_KIND_OF_RULE = {"mission": "diplomatic_mission", "vessel_flag": "vessel_flag", "nationality": "company"}


def country_findings(texts: dict[str, np.ndarray], columns, rows: np.ndarray) -> pd.DataFrame:
    """The first column (in search order) whose text gives a country decides; two
    countries there by the same strongest rule leave the record ambiguous (code None).
    ``texts`` are object arrays of strings ("" where empty), one per column."""
    rules = CountryRules.shipped()
    found = []
    undecided = np.asarray(rows, dtype=np.int64)
    for column in columns:
        # Each distinct text of the column is searched once (incident texts repeat a lot).
        codes, uniques = pd.factorize(texts[column][undecided], sort=False)
        decided = [_decision(column, rules.find(text)) if text else None for text in uniques]
        hit = np.array([d is not None for d in decided], dtype=bool)[codes]
        found += [(record, *decided[code]) for record, code in zip(undecided[hit].tolist(), codes[hit].tolist())]
        undecided = undecided[~hit]
    found.sort(key=lambda finding: finding[0])
    return pd.DataFrame(found, columns=["record", "code", "rule", "score", "reason", "codes"])


def _decision(column: str, hits: list) -> tuple | None:
    """(code or None when ambiguous, rule, score, reason, codes) of a text's hits, or None."""
    if not hits:
        return None
    best = [h for h in hits if h.rule == hits[0].rule]
    code = best[0].code if len({h.code for h in best}) == 1 else None
    return code, best[0].rule, best[0].score, f"{column}: {best[0].phrase!r}", " | ".join(sorted({h.code for h in best}))


def write_countries(out: pd.DataFrame, countries: pd.DataFrame, already_tagged: np.ndarray) -> None:
    """Country evidence for records no registry name decided (and explicit records whose
    owner_country is empty): owner_country, never a company."""
    if countries.empty:
        return
    rows = out.index[countries["record"].to_numpy()]
    evidence = out.loc[rows, "ownership_evidence"].astype(object)
    given = out.loc[rows, "owner_country"].astype(object).fillna("")
    open_ = (evidence.isna() | ((evidence == "explicit") & (given == ""))).to_numpy() & \
        ~already_tagged[countries["record"].to_numpy()]
    countries, rows = countries[open_], rows[open_]
    if not len(rows):
        return
    explicit = (out.loc[rows, "ownership_evidence"].astype(object) == "explicit").to_numpy()
    decided = countries["code"].notna().to_numpy()
    code = countries["code"].fillna("").to_numpy(dtype=object)
    named = decided & (code != "")  # "" is a foreign country the text does not name
    out.loc[rows[named], "owner_country"] = code[named]
    foreign = out["foreign_owned"].astype("boolean").copy()
    fill = rows[decided][foreign.loc[rows[decided]].isna().to_numpy()]
    foreign.loc[fill] = (out.loc[fill, "owner_country"].fillna("") != "UA").to_numpy()
    out["foreign_owned"] = foreign
    rule = countries["rule"].to_numpy(dtype=object)
    set_kind = rows[decided & ~explicit]
    out.loc[set_kind, "ownership_kind"] = [_KIND_OF_RULE[r] for r in rule[decided & ~explicit]]
    tag = rows[~explicit]
    out.loc[tag, "ownership_evidence"] = np.where(decided[~explicit], rule[~explicit], "ambiguous")
    out.loc[tag, "ownership_score"] = pd.array(np.where(decided[~explicit], countries["score"].to_numpy()[~explicit],
                                                        np.nan), dtype="Float64").astype("Int64")
    out.loc[rows[~decided], "ownership_candidates"] = countries["codes"].to_numpy(dtype=object)[~decided]
    out.loc[rows, "ownership_reason"] = countries["reason"].to_numpy(dtype=object)
