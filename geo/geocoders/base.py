"""What every geocoder of incident-mapper has in common: the query it receives, the
result table it returns and the one exception family it raises.

A geocoder resolves *unique* queries (``geo.geocode`` deduplicates the rows first), so
each service sees every distinct place once per run.

Example:
    >>> import pandas as pd
    >>> from geo.geocoders import OfflineGeocoder
    >>> q = pd.DataFrame({"place": ["Mukacheve"], "oblast": ["UA-21"], "admin2": [""], "admin3": [""]})
    >>> OfflineGeocoder().resolve(q).loc[0, "geocoded_name"]
    'Mukachevo'
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "QUERY_COLUMNS",
    "RESULT_COLUMNS",
    "GeocoderConfigError",
    "GeocodingError",
    "Geocoder",
    "empty_results",
]

#: Columns of the query table: the place as reported, an oblast hint (ISO code, "" when
#: unknown) and raion / hromada hints (names as given, "" when unknown).
QUERY_COLUMNS = ("place", "oblast", "admin2", "admin3")

#: Columns of the result table, one row per query, in the query's order.
RESULT_COLUMNS = (
    "latitude", "longitude", "geocoded_name", "geocode_source", "location_precision",
    "geocode_score", "geocode_candidates", "geocoded_oblast", "geocode_flag", "geocode_error",
)


class GeocodingError(Exception):
    """Base of every error the geocoding code raises (never raised for one bad row: rows
    that cannot be resolved are reported in the result instead)."""


class GeocoderConfigError(GeocodingError, ValueError):
    """A geocoder cannot be set up: unknown service, missing user agent, bad option."""


class Geocoder:
    """Base class: subclasses set ``name`` and implement :meth:`resolve`."""

    #: Value written to ``geocode_source`` for rows this geocoder resolved.
    name = "geocoder"

    def resolve(self, queries: pd.DataFrame, progress: bool = False) -> pd.DataFrame:
        """Resolve a table with :data:`QUERY_COLUMNS`; return :data:`RESULT_COLUMNS`,
        one row per query, unresolved rows with ``geocode_source == "unresolved"`` or
        ``"error:<reason>"``."""
        raise NotImplementedError


def empty_results(n: int) -> pd.DataFrame:
    """A result table of ``n`` unresolved rows, to be filled in by a geocoder."""
    return pd.DataFrame({
        "latitude": pd.Series([float("nan")] * n, dtype=float),
        "longitude": pd.Series([float("nan")] * n, dtype=float),
        "geocoded_name": pd.Series([""] * n, dtype=object),
        "geocode_source": pd.Series(["unresolved"] * n, dtype=object),
        "location_precision": pd.Series([""] * n, dtype=object),
        "geocode_score": pd.Series([0] * n, dtype="int64"),
        "geocode_candidates": pd.Series([0] * n, dtype="int64"),
        "geocoded_oblast": pd.Series([""] * n, dtype=object),
        "geocode_flag": pd.Series([""] * n, dtype=object),
        "geocode_error": pd.Series([""] * n, dtype=object),
    })
