"""Which stored event a new record reports: cross-source matching.

A new record of source S is the same strike as a stored event when a record of that
event lies within ``km`` and ``days`` of it, no such nearby record of the event
contradicts it, the event holds no record of S already (a source that reports two
records means two strikes), and exactly one event qualifies. Two or more qualifying
events, or one event claimed by two records of the same batch, is ambiguous: the record
starts its own event and the case is listed for review, never guessed.

Distances are great-circle on a sphere of the Earth's mean radius (within 0.5 % of the
geodesic: plenty for a 5 km tolerance), found through a k-d tree on unit vectors, so
100,000 new records against a million stored ones is one tree query, not a double loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from incidents.sphere import EARTH_RADIUS_KM, chord_km, unit_vectors

#: Columns of stored records the matcher reads.
POOL_COLUMNS = ["event_id", "source", "record_id", "latitude", "longitude", "date", "target", "target_type",
                "owner_company", "owner_country"]
#: Target types sources file the same site under (a port is transport infrastructure,
#: a power plant or refinery is industrial to one source and energy to another).
COMPATIBLE_TYPES = {frozenset(p) for p in (("port", "transport"), ("energy", "industrial"),
                                           ("industrial", "commercial"), ("agriculture", "industrial"))}
#: Below these similarities (rapidfuzz token_set_ratio, 0-100) two names disagree.
OWNER_SIMILARITY = 60
TARGET_SIMILARITY = 40


@dataclass
class Matches:
    """Per new record (batch order): the event it joins (-1: none), the distance to the
    nearest record of that event, and the ambiguous cases for review."""

    event: np.ndarray
    km: np.ndarray
    review: list[dict] = field(default_factory=list)


def _text(value) -> str:
    return value.strip().casefold() if isinstance(value, str) else ""


def contradiction(new: dict, old: dict) -> str | None:
    """Why two records cannot be the same strike, or None if nothing says they differ."""
    a, b = _text(new.get("owner_country")), _text(old.get("owner_country"))
    if a and b and a != b:
        return "owner countries differ"
    a, b = _text(new.get("owner_company")), _text(old.get("owner_company"))
    if a and b and fuzz.token_set_ratio(a, b) < OWNER_SIMILARITY:
        return "owner companies differ"
    type_a, type_b = _text(new.get("target_type")), _text(old.get("target_type"))
    if type_a and type_b and type_a != type_b and "other" not in (type_a, type_b) \
            and frozenset((type_a, type_b)) not in COMPATIBLE_TYPES:
        return "target types differ"
    a, b = _text(new.get("target")), _text(old.get("target"))
    if a and b and not (type_a and type_a == type_b) and fuzz.token_set_ratio(a, b) < TARGET_SIMILARITY:
        return "targets differ"
    return None


def match(new: pd.DataFrame, pool: pd.DataFrame, source: str, km: float, days: float) -> Matches:
    """Match ``new`` records (of ``source``; columns as :data:`POOL_COLUMNS`, dates as
    datetimes) against ``pool``, the stored records near them in space and time."""
    event = np.full(len(new), -1, dtype=np.int64)
    dist = np.full(len(new), np.nan)
    review: list[dict] = []
    located = new["latitude"].notna().to_numpy() & new["longitude"].notna().to_numpy()
    pool = pool[pool["latitude"].notna() & pool["longitude"].notna()].reset_index(drop=True)
    if not len(pool) or not located.any():
        return Matches(event, dist, review)
    from scipy.spatial import cKDTree  # here, not at the top: it costs `import incidents` a second

    own_events = set(pool.loc[pool["source"] == source, "event_id"])
    tree = cKDTree(unit_vectors(pool["latitude"], pool["longitude"]))
    chord = 2 * np.sin(km / EARTH_RADIUS_KM / 2)  # on the sphere: the match distance is the sphere's
    rows = np.flatnonzero(located)
    points = unit_vectors(new["latitude"].to_numpy()[rows], new["longitude"].to_numpy()[rows])
    near = tree.query_ball_point(points, chord)
    pool_dates = pd.to_datetime(pool["date"]).to_numpy()
    new_dates = pd.to_datetime(new["date"]).to_numpy()
    window = np.timedelta64(int(days * 86400), "s")
    # Columns as arrays, rows built only for the few pool records near a new one.
    fields = ["owner_country", "owner_company", "target_type", "target"]
    pool_columns = {c: pool[c].to_numpy(dtype=object) for c in fields}
    pool_events = pool["event_id"].to_numpy()
    new_records = new[["record_id", *fields]].to_dict("records")
    claims: dict[int, list[int]] = {}
    for row, here, hits in zip(rows, points, near):
        if not hits:
            continue
        hits = np.asarray(hits)
        hits = hits[np.abs(pool_dates[hits] - new_dates[row]) <= window]
        events: dict[int, float] = {}
        refused: set[int] = set()
        for hit in hits:
            candidate = int(pool_events[hit])
            if candidate in own_events or candidate in refused:
                continue
            if contradiction(new_records[row], {c: pool_columns[c][hit] for c in fields}):
                refused.add(candidate)
                events.pop(candidate, None)
                continue
            gap = float(chord_km(np.linalg.norm(tree.data[hit] - here)))
            events[candidate] = min(gap, events.get(candidate, np.inf))
        if len(events) == 1:
            (candidate, gap), = events.items()
            event[row], dist[row] = candidate, gap
            claims.setdefault(candidate, []).append(row)
        elif len(events) > 1:
            review.append({"record_id": new_records[row]["record_id"], "events": sorted(events),
                           "reason": f"{len(events)} events within {km:g} km and {days:g} days"})
    for candidate, claimants in claims.items():
        if len(claimants) > 1:
            for row in claimants:
                event[row], dist[row] = -1, np.nan
                review.append({"record_id": new_records[row]["record_id"], "events": [candidate],
                               "reason": f"{len(claimants)} records of this source match the same event"})
    return Matches(event, dist, review)
