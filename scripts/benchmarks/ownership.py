"""Benchmark row of the ownership issue: tag 100,000 SYNTHETIC records with the shipped registry.

The records are synthetic (templates + registry names + distractor words, seeded), never
real incidents. The baseline is the obvious approach: for every record, fold its texts and
run one pre-compiled ``re.search`` per registry name. It is timed on ``BASELINE_SIZE``
records and scaled linearly to ``SIZE`` (its cost is the same for every record: all names
are tried on all texts), which the row states.

A second row tags one Dask partition of the pipeline benchmark (``tag_partition``).

    python scripts/bench.py --only ownership
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

import incidents
from .foundation import synthetic_csv
from .timing import Row, median_time
from incidents.ownership import OwnershipRegistry, RegistryEntry, Site
from incidents.ownership.matching import alias_key

#: Records tagged by the fast path (bench.py --scale multiplies it).
SIZE = 100_000
#: Events of one Dask partition (on_dask.ROWS_PER_FILE): the partition row's size.
PARTITION_SIZE = 50_000
#: Records the naive baseline is timed on before scaling to SIZE.
BASELINE_SIZE = 2_000
#: Synthetic sites with coordinates added for the site-proximity figure (the shipped
#: registry publishes no site coordinates, so that pass would otherwise not run).
SITES = 500

_FACILITIES = ("plant", "oil depot", "warehouse", "office building", "grain terminal",
               "filling station", "factory", "distribution centre", "substation")
_PLACES = ("Kyiv", "Lviv", "Odesa", "Mukachevo", "Dnipro", "Kharkiv", "Zaporizhzhia", "Izmail",
           "Chornomorsk", "Uzhhorod", "Kremenchuk", "Poltava", "Vinnytsia", "Khmelnytskyi")
_TEMPLATES = (
    "{name} {facility} in {place}",
    "{facility} of {name} near {place} (fire, windows blown out)",
    "Drone debris hit a {facility}; {name} said staff sheltered in time",
    "{facility} in {place}",
    "Residential building and a {facility} in {place}",
    "{facility} near the railway station, {place}",
)
_NOTES = (
    "Regional head {official} said {n} people were injured in {place}.",
    "Flexible pipes and a reflex camera shop were damaged; a bird's nest was noted by {official}.",
    "Удар по об'єкту в місті {place_uk}, {n} поранених.",
    "The attack began at night; air defence in {place} shot down {n} drones.",
    "Nestlé-style wording aside, the owner was not named by {official}.",
    "",
)
_OFFICIALS = ("Viktor Mykyta", "Oleh Kiper", "Ihor Terekhov", "Maksym Kozytskyi", "Serhii Lysak")
_PLACES_UK = ("Мукачево", "Одеса", "Київ", "Львів", "Харків")


def _misspelt(name: str, rng: np.random.Generator) -> str:
    """Drop one inner letter of a long name: the kind of typo fuzzy matching is for."""
    if len(name) < 8:
        return name
    i = int(rng.integers(2, len(name) - 2))
    return name[:i] + name[i + 1:]


def synthetic_records(rows: int, seed: int = 5) -> gpd.GeoDataFrame:
    """SYNTHETIC records: ~45% name a registry company (4% misspelt), half carry a point."""
    rng = np.random.default_rng(seed)
    names = [name for entry in incidents.OwnershipRegistry.shipped().entries for name in entry.names]
    targets, notes = [], []
    for i in range(rows):
        template = _TEMPLATES[int(rng.integers(len(_TEMPLATES)))]
        name = names[int(rng.integers(len(names)))]
        if rng.random() < 0.04:
            name = _misspelt(name, rng)
        targets.append(template.format(name=name, facility=_FACILITIES[i % len(_FACILITIES)],
                                       place=_PLACES[int(rng.integers(len(_PLACES)))]))
        notes.append(_NOTES[int(rng.integers(len(_NOTES)))].format(
            official=_OFFICIALS[i % len(_OFFICIALS)], n=int(rng.integers(1, 40)),
            place=_PLACES[i % len(_PLACES)], place_uk=_PLACES_UK[i % len(_PLACES_UK)]))
    has_point = rng.random(rows) < 0.5
    points = shapely.points(rng.uniform(22.5, 40.0, rows), rng.uniform(44.5, 52.0, rows))
    return gpd.GeoDataFrame({
        "id": [f"synthetic-{i}" for i in range(rows)],
        "target": targets, "notes": notes,
        "location_precision": np.where(has_point, "exact", "settlement"),
    }, geometry=np.where(has_point, points, None), crs="EPSG:4326")


def naive_tag(records: gpd.GeoDataFrame) -> list[list[str]]:
    """Baseline: per record, one compiled ``re.search`` per registry name on folded text."""
    registry = incidents.OwnershipRegistry.shipped()
    patterns = [(entry.company, re.compile(rf"(?<!\w){re.escape(alias_key(name))}(?!\w)"))
                for entry in registry.entries for name in entry.names]
    found = []
    for target, note in zip(records["target"], records["notes"]):
        text = alias_key(target) + " \x00 " + alias_key(note)
        found.append(sorted({company for company, pattern in patterns if pattern.search(text)}))
    return found


def synthetic_site_registry(sites: int, seed: int = 9) -> OwnershipRegistry:
    """The shipped registry plus SYNTHETIC entries, one random site each inside Ukraine."""
    rng = np.random.default_rng(seed)
    extra = tuple(
        RegistryEntry(company=f"Synthetic Site Owner {i}", aliases=(), owner_country="DE",
                      sites=(Site("synthetic", "UA-32", float(lat), float(lon)),),
                      source_urls=("https://example.org/synthetic",))
        for i, (lat, lon) in enumerate(zip(rng.uniform(44.5, 52.0, sites), rng.uniform(22.5, 40.0, sites))))
    return OwnershipRegistry(OwnershipRegistry.shipped().entries + extra, "synthetic sites")


def tag_100k() -> Row:
    records = synthetic_records(SIZE)
    sample = records.iloc[:BASELINE_SIZE]
    incidents.OwnershipRegistry.shipped().matcher  # compile once, outside the timing (cached)
    ours = median_time(lambda: incidents.tag_ownership(records), repeat=5)
    baseline_sample = median_time(lambda: naive_tag(sample), repeat=3)
    baseline = baseline_sample * SIZE / len(sample)
    with_sites = synthetic_site_registry(SITES)
    with_sites.matcher  # compiled outside the timing, as above
    ours_with_sites = median_time(lambda: incidents.tag_ownership(records, with_sites), repeat=3)
    tagged = incidents.tag_ownership(records)["ownership_evidence"].value_counts().to_dict()
    return Row(
        name=f"tag_ownership {SIZE:,} synthetic records",
        median_s=ours,
        baseline=f"naive re.search per alias per record (timed on {len(sample):,}, x{SIZE / len(sample):g})",
        baseline_median_s=baseline,
        goal="< 3 s median and >= 20x baseline",
        command="python scripts/bench.py --only ownership",
        extra={"evidence": ", ".join(f"{k} {v:,}" for k, v in sorted(tagged.items())),
               "registry names": str(sum(len(e.names) for e in incidents.OwnershipRegistry.shipped().entries)),
               f"with {SITES} synthetic sites (proximity pass)": f"{ours_with_sites:.3f} s"},
    )


def tag_partition() -> Row:
    """tag_ownership on one Dask partition of the pipeline row (on_dask.py): the
    foundation's SYNTHETIC CSV, loaded, then tagged. Its texts name no company, so this is
    the per-record overhead every partition pays; the baseline is the step before it on
    the same partition, loading and validating the file."""
    with tempfile.TemporaryDirectory() as folder:
        path = synthetic_csv(PARTITION_SIZE, Path(folder), seed=1000)
        records = incidents.load(path)
        incidents.OwnershipRegistry.shipped().matcher  # compiled once per worker, outside the timing
        ours = median_time(lambda: incidents.tag_ownership(records), repeat=7)
        loading = median_time(lambda: incidents.load(path), repeat=7)
    return Row(
        name=f"tag_ownership, one Dask partition: {PARTITION_SIZE:,} events of the synthetic pipeline CSV",
        median_s=ours, baseline="incidents.load + validate of the same file (the step before it)",
        baseline_median_s=loading, goal="well under the load's time (it was the pipeline's named hot spot)",
        command="python scripts/bench.py --only ownership.tag_partition",
        extra={"events/s": f"{PARTITION_SIZE / ours:,.0f}"},
    )


ROWS = [tag_100k, tag_partition]
