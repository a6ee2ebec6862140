"""Online geocoding against a fake Nominatim on 127.0.0.1: one rate limit per service
across calls and processes, unusable caches, NULL cached coordinates, an unreachable
service. Never the real network. Each test names the one-line bug that would fail it."""

from __future__ import annotations

import doctest
import functools
import json
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import geopandas as gpd
import pytest
from geopy.geocoders import Nominatim

import geo
import geo.ratelimit
from geo.cache import MISSING, GeocodeCache, GeocodeCacheWarning
from geo.geocoders import GeopyGeocoder
from maps.cli import main
from maps.pipeline import prepare

ROOT = Path(__file__).resolve().parent.parent
DELAY = 0.3
KNOWN = {"Mukachevo": ("48.44", "22.72")}


class FakeNominatim:
    """A Nominatim-like /search endpoint that records when each request arrived."""

    def __init__(self) -> None:
        self.requests: list[tuple[float, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = parse_qs(urlparse(self.path).query).get("q", [""])[0]
                fake.requests.append((time.time(), query))
                place = query.split(",")[0]
                body = [{"lat": KNOWN[place][0], "lon": KNOWN[place][1], "display_name": place,
                         "addresstype": "city"}] if place in KNOWN else []
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def service(self, port: int | None = None) -> Nominatim:
        return Nominatim(user_agent="incident-mapper-tests", domain=f"127.0.0.1:{port or self.port}", scheme="http")

    def gaps(self) -> list[float]:
        times = sorted(t for t, _ in self.requests)
        return [b - a for a, b in zip(times, times[1:])]

    def paced(self, delay: float) -> bool:
        """Requests arrived at the rate: first to last no faster than ``delay`` apart on
        average (with 25% for arrival jitter). Single gaps are not checked: on a busy machine
        a process can be descheduled between its booked slot and its send, so two arrivals
        may come close although their slots were ``delay`` apart (seen in CI-like runs at
        load 8). An unshared limit (two processes pacing only themselves) spans about half
        the time: 6 requests in ~2 x delay instead of 5 x delay."""
        gaps = self.gaps()
        return sum(gaps) >= len(gaps) * delay * 0.75


@pytest.fixture
def server():
    fake = FakeNominatim()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def frame(places):
    return gpd.GeoDataFrame({"id": [f"r{i}" for i in range(len(places))], "place": places,
                             "oblast": [""] * len(places)}, geometry=[None] * len(places), crs="EPSG:4326")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_docstring_examples():
    """Bug: wait_turn returns before the booked slot."""
    result = doctest.testmod(geo.ratelimit)
    assert result.attempted and not result.failed


def test_successive_calls_in_one_process_share_the_limit(server):
    """Bug: the limiter's state lives on each GeopyGeocoder (a new one per geo.geocode call)."""
    for places in (["a1", "a2"], ["b1", "b2"]):
        geo.geocode(frame(places), geocoder=GeopyGeocoder(server.service(), cache=False, min_delay_seconds=DELAY))
    assert len(server.requests) == 4
    assert server.paced(DELAY), server.gaps()


WORKER = textwrap.dedent("""\
    import os, sys, time
    from pathlib import Path
    import geopandas as gpd
    from geopy.geocoders import Nominatim
    import geo
    from geo.geocoders import GeopyGeocoder
    port, cache, tag, ready, delay = sys.argv[1:6]
    Path(ready, tag).touch()
    while len(os.listdir(ready)) < 2:  # start together: the limit must hold under contention
        time.sleep(0.005)
    places = [f"{tag}-{i}" for i in range(3)]
    gdf = gpd.GeoDataFrame({"id": places, "place": places, "oblast": [""] * 3}, geometry=[None] * 3, crs="EPSG:4326")
    service = Nominatim(user_agent="incident-mapper-tests", domain=f"127.0.0.1:{port}", scheme="http")
    geo.geocode(gdf, geocoder=GeopyGeocoder(service, cache=cache, min_delay_seconds=float(delay)))
    """)


def test_two_processes_sharing_a_cache_stay_under_the_rate(server, tmp_path):
    """Bug: GeocodeCache.reserve is not called (each process paces only itself, so the
    server sees two requests at once)."""
    ready = tmp_path / "ready"
    ready.mkdir()
    cache = tmp_path / "shared.sqlite"
    GeocodeCache(cache).close()  # created once, so neither worker races to create it
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(server.port), str(cache), tag, str(ready), str(DELAY)],
                                cwd=ROOT) for tag in ("p", "q")]
    assert [w.wait(60) for w in workers] == [0, 0]
    assert len(server.requests) == 6
    assert server.paced(DELAY), server.gaps()


def _cache_with_a_row(path: Path) -> None:
    cache = GeocodeCache(path)
    cache.put("nominatim", "mukachevo", {}, (48.44, 22.72, "Mukachevo", "settlement"))
    cache.close()


@pytest.mark.parametrize("kind", ["garbage", "truncated", "foreign", "directory"])
def test_unusable_cache_is_moved_aside_with_one_warning(tmp_path, kind):
    """Bug: GeocodeCache.__init__ deletes the file, or lets sqlite3.DatabaseError escape."""
    path = tmp_path / "geocode.sqlite"
    if kind == "garbage":
        path.write_bytes(b"not a database at all, just text" * 100)
    elif kind == "truncated":
        _cache_with_a_row(path)
        path.write_bytes(path.read_bytes()[:1500])
    elif kind == "foreign":
        with sqlite3.connect(path) as other:
            other.execute("CREATE TABLE users (name TEXT)")
    else:
        path.mkdir()
        (path / "keep.txt").write_text("mine")
    before = sorted(p.name for p in tmp_path.iterdir())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cache = GeocodeCache(path)
    (warning,) = [w for w in caught if issubclass(w.category, GeocodeCacheWarning)]
    assert "\n" not in str(warning.message) and "moved it to" in str(warning.message)
    (aside,) = [p for p in tmp_path.iterdir() if ".unusable-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert aside.name in str(warning.message) and before == ["geocode.sqlite"]
    if kind == "directory":
        assert (aside / "keep.txt").read_text() == "mine"
    cache.put("nominatim", "x", {}, None)  # the fresh cache works
    assert cache.persistent and len(cache) == 1


def test_read_only_cache_is_used_from_memory(tmp_path):
    """Bug: a read-only cache raises "attempt to write a readonly database", or is moved aside."""
    path = tmp_path / "geocode.sqlite"
    _cache_with_a_row(path)
    path.chmod(0o444)
    content = path.read_bytes()
    with pytest.warns(GeocodeCacheWarning, match="read-only: using a memory cache"):
        cache = GeocodeCache(path)
    assert not cache.persistent
    assert cache.get("nominatim", "mukachevo", {})[:2] == (48.44, 22.72)  # its answers still serve
    cache.put("nominatim", "new", {}, None)
    assert path.read_bytes() == content


def test_null_cached_coordinate_is_a_miss(server, tmp_path):
    """Bug: GeocodeCache.get returns (None, None, ...) for a found row with NULL latitude."""
    path = tmp_path / "c.sqlite"
    g = GeopyGeocoder(server.service(), cache=path, min_delay_seconds=0)
    g.cache.put(g.name, "mukachevo", g.params, (48.44, 22.72, "Mukachevo", "settlement"))
    g.cache._conn.execute("UPDATE geocode SET latitude = NULL")
    g.cache._conn.commit()
    assert g.cache.get(g.name, "mukachevo", g.params) is MISSING
    out = geo.geocode(frame(["Mukachevo"]), geocoder=g)
    assert len(server.requests) == 1 and out.geometry.iloc[0].y == pytest.approx(48.44)
    assert g.cache.get(g.name, "mukachevo", g.params)[0] == pytest.approx(48.44)  # repaired


def test_unreachable_service_stops_at_once_and_is_named(tmp_path):
    """Bug: _request retries a refused connection with backoff (about 14 s per place), or
    resolve keeps asking after the first connection failure."""
    g = GeopyGeocoder(FakeNominatim.service(None, closed_port()), cache=tmp_path / "c.sqlite",
                      min_delay_seconds=0, max_retries=3, error_wait_seconds=2.0)
    start = time.monotonic()
    gdf, summary = prepare(frame(["Mukachevo", "Uzhhorod", "Lviv"]), geocoder=g)
    assert time.monotonic() - start < 5
    assert gdf["geocode_source"].tolist() == ["error:unreachable", "error:not_tried", "error:not_tried"]
    assert summary.failed == 3 and summary.not_tried == 2
    assert any(line.startswith("geocoder unreachable: 2 places not tried (") for line in summary.lines())


@pytest.fixture
def cli_against(monkeypatch, tmp_path):
    """The CLI's geocoder pointed at a port on 127.0.0.1, with its cache in tmp_path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def point_at(port: int) -> None:
        monkeypatch.setattr(geo, "geocode", functools.partial(
            geo.geocode, domain=f"127.0.0.1:{port}", scheme="http", min_delay_seconds=0))
    return point_at


def test_cli_geocoder_failure_exits_1_unless_allow_unresolved(capsys, tmp_path, cli_against):
    """Bug: _stop_on_geocoder_failure is not called (exit 0, output written with the
    unreachable places silently unresolved)."""
    cli_against(closed_port())
    data = tmp_path / "places.csv"
    data.write_text("id,date,place\na,2025-08-21,Mukachevo\nb,2025-08-21,Uzhhorod\nc,2025-08-21,Lviv\n")
    out = tmp_path / "out.csv"
    argv = ["geocode", str(data), "-o", str(out), "--geocoder", "nominatim", "--user-agent", "tests"]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    assert "geocoder unreachable: 2 places not tried" in err and "--allow-unresolved" in err
    assert main([*argv, "--allow-unresolved"]) == 0
    assert out.exists()


def test_cli_online_geocoding_succeeds_against_the_fake(capsys, server, tmp_path, cli_against):
    """Bug: the CLI treats "not found" as a failure (exit 1 though the service answered)."""
    cli_against(server.port)
    data = tmp_path / "places.csv"
    data.write_text("id,date,place\na,2025-08-21,Mukachevo\nb,2025-08-21,Nowhereville\n")
    code = main(["geocode", str(data), "-o", str(tmp_path / "out.csv"), "--geocoder", "nominatim", "--user-agent", "t"])
    assert code == 0, capsys.readouterr().err
    assert len(server.requests) == 2
