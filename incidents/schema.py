"""The incident record: column names, types and allowed values.

An *IncidentFrame* is a ``geopandas.GeoDataFrame`` in EPSG:4326 whose columns are
:data:`COLUMNS` (in that order) followed by any extra columns the user's data carried
(kept, never dropped) and a ``geometry`` column of points (``None`` where unknown).

Example:
    >>> import incidents
    >>> gdf = incidents.sample()
    >>> list(gdf.columns[:4])
    ['id', 'date', 'date_end', 'date_precision']
"""

from __future__ import annotations

CRS = "EPSG:4326"

#: Column -> kind. Kinds: str, datetime, int, bool, float, list.
COLUMN_KINDS: dict[str, str] = {
    "id": "str",
    "date": "datetime",
    "date_end": "datetime",
    "date_precision": "str",
    "place": "str",
    "oblast": "str",
    "latitude": "float",
    "longitude": "float",
    "location_precision": "str",
    "weapon": "str",
    "target": "str",
    "target_type": "str",
    "killed": "int",
    "killed_low": "int",
    "killed_high": "int",
    "injured": "int",
    "injured_low": "int",
    "injured_high": "int",
    "owner_company": "str",
    "owner_country": "str",
    "foreign_owned": "bool",
    "sector": "str",
    "sources": "list",
    "source_text": "str",
    "tags": "list",
    "notes": "str",
}
COLUMNS: list[str] = list(COLUMN_KINDS)
#: A record needs an id and a date; everything else may be unknown (empty).
REQUIRED: tuple[str, ...] = ("id", "date")
CASUALTY_COLUMNS = ("killed", "killed_low", "killed_high", "injured", "injured_low", "injured_high")

DATE_PRECISIONS = ("day", "week", "month", "year")
LOCATION_PRECISIONS = ("exact", "settlement", "hromada", "raion", "oblast")
WEAPONS = (
    "missile", "ballistic_missile", "cruise_missile", "drone", "glide_bomb",
    "artillery", "mixed", "unknown",
)
TARGET_TYPES = (
    "industrial", "energy", "residential", "transport", "port", "agriculture",
    "commercial", "government", "diplomatic", "military", "other",
)


def words(code) -> str:
    """A vocabulary code as the words every table, chart, popup and printed comparison
    shows ('cruise_missile' -> 'cruise missile')."""
    return str(code).replace("_", " ")


#: Closed vocabularies checked by validation.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "date_precision": DATE_PRECISIONS,
    "location_precision": LOCATION_PRECISIONS,
    "weapon": WEAPONS,
    "target_type": TARGET_TYPES,
}
#: Longest text accepted in one field; longer values are rejected, not truncated.
MAX_FIELD_CHARS = 5000

#: Separator of list values (sources, tags) in flat formats (CSV, GeoPackage).
#: "|" may not appear unescaped in a URL (RFC 3986), so it cannot split one.
LIST_SEPARATOR = " | "

#: ISO 3166-2:UA codes of the 27 first-level units (24 oblasts, Kyiv city, Sevastopol,
#: Crimea). Names and other codes live in geo.regions; this list lets validation reject
#: a mistyped code without importing geo.
OBLAST_CODES = (
    "UA-05", "UA-07", "UA-09", "UA-12", "UA-14", "UA-18", "UA-21", "UA-23", "UA-26",
    "UA-30", "UA-32", "UA-35", "UA-40", "UA-43", "UA-46", "UA-48", "UA-51", "UA-53",
    "UA-56", "UA-59", "UA-61", "UA-63", "UA-65", "UA-68", "UA-71", "UA-74", "UA-77",
)
#: Ukraine's bounding box (west, south, east, north) in degrees, with a small margin:
#: used to spot swapped latitude/longitude.
UKRAINE_BBOX = (22.0, 44.2, 40.3, 52.5)
