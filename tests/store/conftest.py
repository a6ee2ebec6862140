"""Fixtures of the store tests: every test taking ``store_url`` runs once per backend.

The GeoPackage backend needs nothing. The PostGIS backend uses the server named by
INCIDENT_MAPPER_POSTGIS_URL (a database whose template has PostGIS), or starts a throwaway
cluster with scripts/postgis.sh for the session; without PostgreSQL + PostGIS installed it
skips locally and fails in CI (tests/needs.py), where .ci/run installs them.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

import needs

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "postgis.sh"
_numbers = itertools.count()


@pytest.fixture(scope="session")
def postgis_server():
    """(admin URL of the template database, its name) of a running PostGIS server."""
    url = os.environ.get("INCIDENT_MAPPER_POSTGIS_URL")
    if url:
        yield url
        return
    if not list(Path("/usr/share/postgresql").glob("*/extension/postgis.control")):
        needs.missing("PostgreSQL with PostGIS is not installed (apt-get install postgresql postgresql-15-postgis-3)")
    state = tempfile.mkdtemp(prefix="incident-mapper-postgis-")
    env = {**os.environ, "INCIDENT_MAPPER_POSTGIS_STATE": state, "POSTGIS_SERVER_OPTIONS": "-c fsync=off"}
    started = subprocess.run([str(SCRIPT), "start"], env=env, capture_output=True, text=True)
    if started.returncode:
        needs.missing(f"scripts/postgis.sh start failed: {started.stderr.strip()}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(SCRIPT), "stop"], env=env, capture_output=True)


def fresh_database(server_url: str) -> str:
    """A new, empty database cloned from the server's PostGIS-enabled one; its URL."""
    import sqlalchemy as sa

    base = sa.engine.make_url(server_url)
    name = f"store_test_{os.getpid()}_{next(_numbers)}"
    engine = sa.create_engine(base.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{base.database}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["gpkg", "postgis"])
def store_url(request, tmp_path):
    """The URL of a new, empty store location: a .gpkg path, or a fresh PostGIS database."""
    if request.param == "gpkg":
        return str(tmp_path / "team.gpkg")
    return fresh_database(request.getfixturevalue("postgis_server"))
