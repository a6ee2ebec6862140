"""Rebuild incidents/data/country_words.csv: the words that name a country in reports.

One row per (code, lang, kind, word): ``kind`` is ``name`` (the country: "Poland",
"Польща", "Польша") or ``adjective`` (its nationality word: "Polish"; for Ukrainian and
Russian the adjective's stem, "польськ", "польск", matched with any ending). The ownership
tagger reads it to recognise "a Polish factory", "Panama-flagged", "посольство Польщі".

Inputs: pycountry (ISO 3166-1 English names, and its Ukrainian and Russian translations),
pycountryinfo (English nationality words and alternative spellings; MIT licence), and the
table below of Ukrainian and Russian adjective stems, written for this project for the
countries that own sites, send missions or flag ships in Ukrainian reporting.

    python scripts/build_country_words.py
"""

from __future__ import annotations

import csv
import gettext
import importlib.metadata
import io
import json
import re
from pathlib import Path

import pycountry

OUT = Path(__file__).resolve().parent.parent / "incidents" / "data" / "country_words.csv"

#: Ukrainian and Russian adjective stems: code -> (Ukrainian stems, Russian stems).
STEMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "US": (("американськ",), ("американск",)), "GB": (("британськ", "англійськ"), ("британск", "английск")),
    "DE": (("німецьк",), ("немецк",)), "FR": (("французьк",), ("французск",)), "IT": (("італійськ",), ("итальянск",)),
    "ES": (("іспанськ",), ("испанск",)), "PT": (("португальськ",), ("португальск",)),
    "NL": (("нідерландськ", "голландськ"), ("нидерландск", "голландск")), "BE": (("бельгійськ",), ("бельгийск",)),
    "LU": (("люксембурзьк",), ("люксембургск",)), "CH": (("швейцарськ",), ("швейцарск",)),
    "AT": (("австрійськ",), ("австрийск",)), "SE": (("шведськ",), ("шведск",)), "NO": (("норвезьк",), ("норвежск",)),
    "DK": (("данськ", "датськ"), ("датск",)), "FI": (("фінськ", "фінляндськ"), ("финск", "финляндск")),
    "IS": (("ісландськ",), ("исландск",)), "IE": (("ірландськ",), ("ирландск",)), "PL": (("польськ",), ("польск",)),
    "CZ": (("чеськ",), ("чешск",)), "SK": (("словацьк",), ("словацк",)), "HU": (("угорськ",), ("венгерск",)),
    "RO": (("румунськ",), ("румынск",)), "BG": (("болгарськ",), ("болгарск",)), "GR": (("грецьк",), ("греческ",)),
    "HR": (("хорватськ",), ("хорватск",)), "SI": (("словенськ",), ("словенск",)), "RS": (("сербськ",), ("сербск",)),
    "ME": (("чорногорськ",), ("черногорск",)), "MK": (("македонськ",), ("македонск",)),
    "AL": (("албанськ",), ("албанск",)), "BA": (("боснійськ",), ("боснийск",)),
    "LT": (("литовськ",), ("литовск",)), "LV": (("латвійськ", "латиськ"), ("латвийск", "латышск")),
    "EE": (("естонськ",), ("эстонск",)), "MD": (("молдовськ", "молдавськ"), ("молдавск", "молдовск")),
    "GE": (("грузинськ",), ("грузинск",)), "AZ": (("азербайджанськ",), ("азербайджанск",)),
    "AM": (("вірменськ",), ("армянск",)), "KZ": (("казахстанськ",), ("казахстанск",)),
    "UZ": (("узбецьк",), ("узбекск",)), "TR": (("турецьк",), ("турецк",)), "IL": (("ізраїльськ",), ("израильск",)),
    "CN": (("китайськ",), ("китайск",)), "JP": (("японськ",), ("японск",)),
    "KR": (("південнокорейськ",), ("южнокорейск",)), "KP": (("північнокорейськ",), ("северокорейск",)),
    "IN": (("індійськ",), ("индийск",)), "CA": (("канадськ",), ("канадск",)), "AU": (("австралійськ",), ("австралийск",)),
    "NZ": (("новозеландськ",), ("новозеландск",)), "BR": (("бразильськ",), ("бразильск",)),
    "AR": (("аргентинськ",), ("аргентинск",)), "MX": (("мексиканськ",), ("мексиканск",)),
    "CL": (("чилійськ",), ("чилийск",)), "AE": (("еміратськ",), ("эмиратск",)), "SA": (("саудівськ",), ("саудовск",)),
    "QA": (("катарськ",), ("катарск",)), "KW": (("кувейтськ",), ("кувейтск",)), "EG": (("єгипетськ",), ("египетск",)),
    "ZA": (("південноафриканськ",), ("южноафриканск",)), "CY": (("кіпрськ",), ("кипрск",)),
    "MT": (("мальтійськ",), ("мальтийск",)), "PA": (("панамськ",), ("панамск",)), "LR": (("ліберійськ",), ("либерийск",)),
    "BY": (("білоруськ",), ("белорусск",)), "RU": (("російськ",), ("российск",)), "UA": (("українськ",), ("украинск",)),
    "VA": (("ватиканськ",), ("ватиканск",)), "PS": (("палестинськ",), ("палестинск",)),
    "IR": (("іранськ",), ("иранск",)), "SG": (("сінгапурськ",), ("сингапурск",)), "VN": (("в'єтнамськ",), ("вьетнамск",)),
    "ID": (("індонезійськ",), ("индонезийск",)), "TH": (("тайськ", "таїландськ"), ("тайск", "таиландск")),
    "MY": (("малайзійськ",), ("малайзийск",)), "PK": (("пакистанськ",), ("пакистанск",)),
    "BD": (("бангладеськ",), ("бангладешск",)), "LB": (("ліванськ",), ("ливанск",)), "SY": (("сирійськ",), ("сирийск",)),
    "JO": (("йорданськ",), ("иорданск",)), "MA": (("марокканськ",), ("марокканск",)), "TN": (("туніськ",), ("тунисск",)),
    "DZ": (("алжирськ",), ("алжирск",)), "NG": (("нігерійськ",), ("нигерийск",)), "KE": (("кенійськ",), ("кенийск",)),
    "PE": (("перуанськ",), ("перуанск",)), "CO": (("колумбійськ",), ("колумбийск",)), "CU": (("кубинськ",), ("кубинск",)),
    "SL": (("сьєрра-леонськ",), ("сьерра-леонск",)), "TG": (("тоголезьк",), ("тоголезск",)),
    "MN": (("монгольськ",), ("монгольск",)), "TM": (("туркменськ",), ("туркменск",)), "KG": (("киргизьк",), ("киргизск",)),
    "TJ": (("таджицьк",), ("таджикск",)),
}
#: English forms the tables lack ("U.S." and "UK" as words, "American" for the US).
EXTRA_ENGLISH = {"US": ("U.S.", "US", "USA", "America", "United States", "American"),
                 "GB": ("UK", "U.K.", "Britain", "Great Britain", "British", "English"),
                 "KR": ("South Korea", "Korea", "Korean", "South Korean"), "CZ": ("Czechia", "Czech"),
                 "NL": ("Holland", "Netherlands", "Dutch"), "AE": ("UAE", "Emirates", "Emirati"),
                 "VA": ("Holy See", "Vatican", "Vatican City"), "TR": ("Turkey", "Türkiye", "Turkiye", "Turkish"),
                 "MD": ("Moldova", "Moldovan"), "RU": ("Russia",), "IR": ("Iran",), "SY": ("Syria",),
                 "TW": ("Taiwan",), "VN": ("Vietnam", "Vietnamese"), "LA": ("Laos",), "BO": ("Bolivia",),
                 "VE": ("Venezuela",), "TZ": ("Tanzania",), "MK": ("North Macedonia", "Macedonia", "Macedonian"),
                 "PS": ("Palestine",)}
#: Country names that are also ordinary words or names ("Turkey", "Georgia", "Jordan",
#: "Chad"): kept as ``context_only``, for rules whose context word makes them unambiguous
#: ("Embassy of Georgia", "Panama-flagged").
CONTEXT_ONLY = {"Turkey", "Georgia", "Jordan", "Chad", "Niger", "Guinea", "Mali", "Oman", "Togo", "Congo",
                "Jersey", "Guernsey", "Man", "Isle of Man", "Reunion", "Samoa", "Fiji", "Peru", "Cuba",
                "Malta", "Panama", "Greece", "Lebanon", "Dominica", "Dominican", "Bermuda", "Chile", "China",
                "Wales", "Monaco", "Nauru", "Palau", "Tonga", "Benin", "Gabon", "Kenya", "Sudan",
                "Holland", "America", "English", "Korea", "Korean"}


def _pycountryinfo() -> dict[str, dict]:
    import pycountryinfo

    path = Path(pycountryinfo.__file__).parent / "data" / "countries.json"
    return {c["iso_codes"]["alpha_2"]: c for c in json.loads(path.read_text(encoding="utf-8"))}


def rows() -> list[tuple[str, str, str, str]]:
    uk = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["uk"])
    ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    info = _pycountryinfo()
    out: set[tuple[str, str, str, str]] = set()

    def add(code, lang, kind, word, shortest=3):
        word = re.sub(r"\s+", " ", str(word)).strip()
        if word and len(word) >= shortest and "," not in word and "(" not in word and word.isascii() == (lang == "en"):
            out.add((code, lang, kind, word))

    for country in pycountry.countries:
        code = country.alpha_2
        for name in {country.name, getattr(country, "common_name", ""), getattr(country, "official_name", "")}:
            if name:
                add(code, "en", "name", name)
                add(code, "uk", "name", uk.gettext(name))
                add(code, "ru", "name", ru.gettext(name))
        extra = info.get(code, {})
        if extra.get("nationality"):
            add(code, "en", "adjective", extra["nationality"])
        for spelling in extra.get("alt_spellings", []):
            if spelling.isascii() and not spelling.isupper():
                add(code, "en", "name", spelling)
        russian = extra.get("translations", {}).get("rus", {})
        add(code, "ru", "name", russian.get("common", ""))
    for code, words in EXTRA_ENGLISH.items():
        for word in words:
            add(code, "en", "adjective" if word.endswith(("an", "ish", "ese", "ch", "i")) else "name", word, shortest=2)
    add("US", "ru", "name", "США")
    for code, (uk_stems, ru_stems) in STEMS.items():
        for stem in uk_stems:
            add(code, "uk", "adjective", stem)
        for stem in ru_stems:
            add(code, "ru", "adjective", stem)
    return [(code, lang, "context_only" if word in CONTEXT_ONLY else kind, word)
            for code, lang, kind, word in sorted(out)]


def main() -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["code", "lang", "kind", "word"])
    writer.writerows(rows())
    versions = f"pycountry {importlib.metadata.version('pycountry')}, pycountryinfo {importlib.metadata.version('pycountryinfo')}"
    OUT.write_text(buffer.getvalue(), encoding="utf-8")
    print(f"wrote {OUT} from {versions}")


if __name__ == "__main__":
    main()
