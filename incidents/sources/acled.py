"""ACLED (Armed Conflict Location & Event Data) exports, every layout seen in the wild.

* The export tool / API CSV (today): ``id,iso,event_id_cnty,event_date,...,timestamp,
  geo_precision,source,civilian_targeting,disorder_type,tags,actor_dyad``, with
  ``event_date`` as ``14/08/2020 00:00:00`` (day first, with a time).
* The older site export: the same columns without ``id``, ISO dates.
* The pre-2023 layout: ``data_id``, ``event_id_no_cnty``, ``iso3``; dates also as
  ``15 March 2022``.
* ``.xlsx`` exports (dates as spreadsheet dates) and a saved API JSON response
  (``{"status": 200, "data": [...]}``): the readers turn both into the same table.

All share the columns used here. ACLED's columns whose names are ours keep their values
under ``acled_``: its numeric row ``id`` becomes ``acled_id`` (the event id
``event_id_cnty`` is our ``id``), its ``tags`` ``acled_tags``. Every other column is
kept as it is. ACLED documents day-first dates.

``admin1``/``admin2``/``admin3`` stay in their own columns, not in ``oblast``: ACLED's
names follow its own conventions (bare "Kyiv" is the oblast, "Kyiv City" the city), which
``geo.geocode`` reads as hints and ``geo.assign_regions`` turns into ISO codes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from incidents.dates import parse_dates
from incidents.sources.base import Importer, access_date

#: ACLED geo_precision: 1 the named town itself, 2 near a town / part of a district,
#: 3 only the wider region (ACLED codebook).
GEO_PRECISION = {"1": "settlement", "2": "raion", "3": "oblast"}
#: ACLED time_precision: 1 the day, 2 the week, 3 only the month.
TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}


class AcledImporter(Importer):
    name = "ACLED"
    prefix = "acled"
    signature = frozenset({"event_id_cnty", "event_date", "sub_event_type", "fatalities"})
    dayfirst = True

    columns = {"id": "event_id_cnty", "place": "location", "latitude": "latitude",
               "longitude": "longitude", "killed": "fatalities", "source_text": "source", "notes": "notes"}
    dates = {"date": "event_date"}
    codes = {"date_precision": ("time_precision", TIME_PRECISION),
             "location_precision": ("geo_precision", GEO_PRECISION)}

    def attrs(self, records: pd.DataFrame, path: Path) -> dict:
        return {"dataset": self.name, "attribution": attribution(records, access_date(path))}


def attribution(records: pd.DataFrame, accessed, filters: str | None = None) -> str:
    """The attribution line ACLED's terms of use ask for: source, site, access date and
    the filters that selected the data (as far as the export shows them).

    Example:
        >>> import datetime as dt
        >>> attribution(pd.DataFrame({"country": ["Ukraine"], "date": ["2025-08-21"]}), dt.date(2026, 1, 5))
        'Armed Conflict Location & Event Data (ACLED), www.acleddata.com; accessed 2026-01-05; filters: country Ukraine; dates 2025-08-21 to 2025-08-21'
    """
    if filters is None:
        parts = []
        if "country" in records:
            parts.append("country " + ", ".join(sorted(records["country"].dropna().astype(str).unique())))
        dates = parse_dates(records["date"], dayfirst=True)[0].dropna()
        if len(dates):
            parts.append(f"dates {dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}")
        filters = "; ".join(parts)
    line = f"Armed Conflict Location & Event Data (ACLED), www.acleddata.com; accessed {accessed:%Y-%m-%d}"
    return f"{line}; filters: {filters}" if filters else line
