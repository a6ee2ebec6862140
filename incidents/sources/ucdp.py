"""UCDP Georeferenced Event Dataset (GED) and Candidate Events exports.

Layouts: UCDP's own CSV (``date_start`` as ``2014-01-22 00:00:00.000``), the same file
opened and saved in Excel (cp1252, ``1/22/2014 12:00:00 AM``: month first, 12-hour
time), ``.xlsx``, and the monthly Candidate Events files, which carry the GED columns
(with ``code_status`` saying how far an event has been vetted). Encoding is decided by
:func:`incidents.csvfile.decode`, dates by :mod:`incidents.dates`; an all-ambiguous date
column is read month first, as Excel on a US locale writes it. ``best``/``low``/``high``
are UCDP's fatality estimates and map to killed / killed_low / killed_high.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from incidents.sources.base import Importer, access_date

#: UCDP where_prec: 1 exact place, 2 within 25 km of a named place, 3 second-order
#: administrative division, 4 first-order division, 5 a line or larger area, 6 the
#: country, 7 international waters/air (UCDP GED codebook). 5-7 say too little to keep.
WHERE_PRECISION = {"1": "exact", "2": "settlement", "3": "raion", "4": "oblast"}
#: UCDP date_prec: 1 the day, 2 2-6 days, 3 about a week to a month, 4 a month, 5 a year.
DATE_PRECISION = {"1": "day", "2": "week", "3": "month", "4": "month", "5": "year"}

CITATION = ("Uppsala Conflict Data Program (UCDP) Georeferenced Event Dataset; Sundberg, Ralph "
            "and Erik Melander (2013), Journal of Peace Research 50(4)")


class UcdpImporter(Importer):
    name = "UCDP GED"
    prefix = "ucdp"
    signature = frozenset({"date_start", "date_end", "where_prec", "best"})
    dayfirst = False

    columns = {"id": "id", "place": "where_coordinates", "latitude": "latitude", "longitude": "longitude",
               "killed": "best", "killed_low": "low", "killed_high": "high", "notes": "where_description"}
    dates = {"date": "date_start", "date_end": "date_end"}
    codes = {"date_precision": ("date_prec", DATE_PRECISION), "location_precision": ("where_prec", WHERE_PRECISION)}
    # UCDP's adm_1/adm_2 names are hints for geo.geocode under the ACLED-style names it reads.
    renamed = {"adm_1": "admin1", "adm_2": "admin2"}

    def finish(self, raw: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
        records["id"] = "ucdp-" + records["id"]  # UCDP ids are bare numbers; keep them apart from others
        office, headline = self.text(raw, "source_office"), self.text(raw, "source_headline")
        records["source_text"] = office.str.cat(headline, sep=": ").str.strip(": ")
        return records

    def attrs(self, records: pd.DataFrame, path: Path) -> dict:
        return {"dataset": self.name, "attribution": f"{CITATION}; accessed {access_date(path):%Y-%m-%d}"}
