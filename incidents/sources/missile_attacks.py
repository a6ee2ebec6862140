""""Massive Missile Attacks on Ukraine": the daily dataset of air-attack waves.

One row per attack wave as reported by Ukraine's air force (the dataset's ``source`` column): ``time_start, time_end, model,
launch_place, target, target_main, launched, destroyed, ...`` (times like
``2026-04-04 18:00``). A wave has no point: its ``target`` names an area ("Kyiv oblast",
"south and east", "Ukraine"). So an incident gets ``oblast`` and
``location_precision = "oblast"`` only when the target names exactly one oblast, and never
coordinates; the area as written is kept in ``attack_area`` and its kind in
``attack_scope`` (oblast, oblasts, macro_region, country). The weapon class is read from
``model``; every other column is kept.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from incidents.oblasts import read_oblast
from incidents.sources.base import Importer, access_date

#: Weapon class by model name (Latin and Cyrillic spellings; the dataset writes Kh- as X-).
WEAPON_PATTERNS = (
    ("glide_bomb", r"\bkab\b|\bguided bomb|glide"),
    ("ballistic_missile", r"iskander-m|kn-23|kn-24|kinzhal|kh-47|ballistic|s-300|s-400|tochka|zircon|zirkon"),
    ("cruise_missile", r"kh-\d+|kalibr|iskander-k|cruise|oniks|p-800|x-\d+"),
    ("drone", r"shahed|geran|gerbera|drone|uav|lancet|orlan|supercam|zala|merlin|molniya|italmas|parody"),
)
_MACRO_WORDS = {"north", "south", "east", "west", "centre", "center", "central", "northern", "southern",
                "eastern", "western", "north-east", "south-east", "northeast", "southeast"}
_COUNTRY_WORDS = {"ukraine", "україна", "all ukraine"}


def weapon_of(model: str) -> str | None:
    """The weapon class of a wave's ``model`` text; ``mixed`` when it names several.

    Example:
        >>> weapon_of("Shahed-136/131"), weapon_of("X-101/X-555"), weapon_of("Iskander-M and Shahed-136/131")
        ('drone', 'cruise_missile', 'mixed')
    """
    text = model.lower().replace("х", "kh")  # Cyrillic х in "Х-101"
    found = {kind for kind, pattern in WEAPON_PATTERNS if re.search(pattern, text)}
    if not text.strip():
        return None
    return found.pop() if len(found) == 1 else ("mixed" if found else "unknown")


def read_area(target: str) -> tuple[str | None, str | None]:
    """``(oblast ISO code or None, scope)`` of a wave's target text.

    Example:
        >>> read_area("Kyiv oblast"), read_area("south and east"), read_area("Ukraine")
        (('UA-32', 'oblast'), (None, 'macro_region'), (None, 'country'))
    """
    text = target.strip().lower()
    if not text:
        return None, None
    if text in _COUNTRY_WORDS:
        return None, "country"
    parts = [p.strip() for p in re.split(r",|;|\band\b|\bта\b|\bі\b|/", text) if p.strip()]
    if parts and all(p in _MACRO_WORDS for p in parts):
        return None, "macro_region"
    units = {unit.iso for unit, _ in map(read_oblast, parts) if unit is not None}
    if len(units) == 1 and len(parts) == 1:
        return units.pop(), "oblast"
    return None, "oblasts" if units else None


class MissileAttacksImporter(Importer):
    name = "Massive Missile Attacks on Ukraine"
    prefix = "mma"
    signature = frozenset({"time_start", "time_end", "model", "launched", "destroyed"})
    dayfirst = None  # the dataset writes ISO times
    dates = {"date": "time_start", "date_end": "time_end"}
    renamed = {"target": "attack_area"}
    consumed = ("source",)

    def finish(self, raw: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
        start = self.text(raw, "time_start").str.replace(r"\D", "", regex=True).str[:12]
        model = self.text(raw, "model")
        base = "mma-" + start + "-" + model.str.lower().str.replace(r"[^a-z0-9]+", "-", regex=True).str.strip("-").str[:40]
        # Two waves of one model may start in the same hour: number the repeats.
        repeat = base.groupby(base).cumcount()
        records["id"] = np.where(repeat > 0, base + "-" + (repeat + 1).astype(str), base)
        areas = [read_area(t) for t in self.text(raw, "target")]
        records["oblast"] = [a for a, _ in areas]
        records["location_precision"] = np.where(records["oblast"].notna(), "oblast", None)
        records["attack_scope"] = [s for _, s in areas]
        records["weapon"] = model.map(weapon_of)
        launched, destroyed = self.text(raw, "launched"), self.text(raw, "destroyed")
        records["notes"] = ("air-attack wave: " + model + "; launched " + launched.replace("", "?")
                            + ", destroyed " + destroyed.replace("", "?"))
        source = self.text(raw, "source")
        is_link = source.str.match(r"(?i)https?://")
        records["sources"] = source.where(is_link, "")
        records["source_text"] = source.where(~is_link, "")
        return records

    def attrs(self, records: pd.DataFrame, path: Path) -> dict:
        return {"dataset": self.name,
                "attribution": f"Massive Missile Attacks on Ukraine (Kaggle dataset); accessed {access_date(path):%Y-%m-%d}"}
