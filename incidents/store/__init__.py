"""The team's incident store: every source's records in one place, one event per strike.

``incidents.Store("team.gpkg")`` keeps it in a GeoPackage file (no server);
``incidents.Store("postgresql://user@host:5432/db")`` in PostGIS. Both behave the same
(:mod:`incidents.store.base`); errors are :class:`StoreError` and its subclasses.
"""

from __future__ import annotations

from incidents.store.base import IngestReport, Store
from incidents.store.errors import NotAStoreError, StoreError, StoreUnavailable, StoreVersionError

POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_server_url(text) -> bool:
    return isinstance(text, str) and text.lower().startswith(POSTGRES_SCHEMES)


def backend_for(url) -> type[Store]:
    """The Store class for ``url``: PostGIS for postgresql:// URLs, else a GeoPackage file."""
    if is_server_url(url):
        try:
            from incidents.store.postgis import PostGISStore
        except ModuleNotFoundError as missing:
            raise StoreError(f"a PostGIS store needs {missing.name}: pip install 'incident-mapper[postgis]'") from None
        return PostGISStore
    from incidents.store.geopackage import GeoPackageStore
    return GeoPackageStore


def is_store(url) -> bool:
    """Whether ``url`` names a store: a PostgreSQL URL, or a .gpkg file made as a store
    (a plain incident GeoPackage written by :func:`incidents.save` is not one)."""
    if is_server_url(url):
        return True
    from incidents.store.geopackage import is_store_file
    return is_store_file(url)


__all__ = ["IngestReport", "NotAStoreError", "Store", "StoreError", "StoreUnavailable", "StoreVersionError",
           "backend_for", "is_store"]
