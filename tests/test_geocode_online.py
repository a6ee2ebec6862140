"""Online geocoding through geopy, with a fake geocoder: never the network."""

import multiprocessing
import sqlite3

import geopandas as gpd
import pytest
from geopy.exc import GeocoderAuthenticationFailure, GeocoderRateLimited, GeocoderTimedOut
from geopy.geocoders.base import Geocoder as GeopyBase
from geopy.location import Location

import geo
from geo.cache import MISSING, GeocodeCache
from geo.geocoders import GeocoderConfigError, GeocodingError, GeopyGeocoder

# Coordinates a real service would give (Mukachevo and Uzhhorod city centres, rounded).
KNOWN = {
    "Mukachevo, Zakarpattia Oblast": (48.44, 22.72),
    "Uzhhorod": (48.62, 22.29),
}


class FakeGeocoder(GeopyBase):
    """Answers from KNOWN, "not found" otherwise; scripted failures per query."""

    def __init__(self, failures=None):
        super().__init__()
        self.calls = []
        self.failures = dict(failures or {})  # query -> list of exceptions to raise, in order

    def geocode(self, query, *, exactly_one=True, country_codes=None, timeout=None):
        self.calls.append((query, country_codes))
        queued = self.failures.get(query)
        if queued:
            raise queued.pop(0)
        if query in KNOWN:
            lat, lon = KNOWN[query]
            return Location(query, (lat, lon), {"addresstype": "city"})
        return None


def frame(places, oblasts=None):
    return gpd.GeoDataFrame(
        {"id": [f"r{i}" for i in range(len(places))], "place": places,
         "oblast": oblasts or [""] * len(places)},
        geometry=[None] * len(places), crs="EPSG:4326")


def coder(fake, tmp_path, **options):
    options.setdefault("error_wait_seconds", 0.01)
    g = GeopyGeocoder(fake, cache=tmp_path / "cache.sqlite", **options)
    g._sleep = g.sleeps = []  # record backoff waits instead of sleeping
    g._sleep = g.sleeps.append
    return g


def test_results_restricted_to_ukraine_and_filled(tmp_path):
    fake = FakeGeocoder()
    out = geo.geocode(frame(["Mukachevo", "Uzhhorod", "Nowhere-at-all"], ["UA-21", "", ""]),
                      geocoder=coder(fake, tmp_path))
    assert {c for _, c in fake.calls} == {"ua"}
    assert out["geocode_source"].tolist() == ["fakegeocoder", "fakegeocoder", "unresolved"]
    assert out.geometry.iloc[0].y == pytest.approx(48.44)
    assert out["geocoded_oblast"].iloc[0] == "UA-21"  # nearest gazetteer settlement's
    assert out.attrs["geocode_summary"]["unresolved_ids"] == ["r2"]


def test_second_run_makes_zero_requests(tmp_path):
    places = frame(["Mukachevo", "Uzhhorod", "Nowhere-at-all", "Uzhhorod"], ["UA-21", "", "", ""])
    first = FakeGeocoder()
    out1 = geo.geocode(places, geocoder=coder(first, tmp_path))
    assert len(first.calls) == 3  # duplicates asked once
    second = FakeGeocoder()
    out2 = geo.geocode(places, geocoder=coder(second, tmp_path))
    assert second.calls == []
    assert out2["geocode_source"].tolist() == out1["geocode_source"].tolist()
    assert out2.geometry.y.tolist()[:2] == out1.geometry.y.tolist()[:2]


def test_rate_limit_is_retried_with_backoff(tmp_path):
    fake = FakeGeocoder({"Uzhhorod": [GeocoderRateLimited("429"), GeocoderRateLimited("429")]})
    g = coder(fake, tmp_path, max_retries=3, error_wait_seconds=2.0)
    out = geo.geocode(frame(["Uzhhorod"]), geocoder=g)
    assert out["geocode_source"].iloc[0] == "fakegeocoder"
    assert [q for q, _ in fake.calls] == ["Uzhhorod"] * 3
    assert g.sleeps == [2.0, 4.0]  # exponential backoff


def test_retry_after_header_is_honoured(tmp_path):
    fake = FakeGeocoder({"Uzhhorod": [GeocoderRateLimited("429", retry_after=7)]})
    g = coder(fake, tmp_path)
    geo.geocode(frame(["Uzhhorod"]), geocoder=g)
    assert g.sleeps == [7]


def test_failures_are_per_row_and_not_cached(tmp_path):
    fake = FakeGeocoder({
        "Uzhhorod": [GeocoderTimedOut("slow")] * 10,
        "Bad key": [GeocoderAuthenticationFailure("denied")],
    })
    g = coder(fake, tmp_path, max_retries=2)
    out = geo.geocode(frame(["Mukachevo", "Uzhhorod", "Bad key"], ["UA-21", "", ""]), geocoder=g)
    assert out["geocode_source"].tolist() == ["fakegeocoder", "error:timeout",
                                              "error:GeocoderAuthenticationFailure"]
    assert "slow" in out["geocode_error"].iloc[1]
    assert out["geocode_error"].iloc[0] == ""
    assert [q for q, _ in fake.calls].count("Uzhhorod") == 3  # 1 + 2 retries
    assert [q for q, _ in fake.calls].count("Bad key") == 1  # not transient: no retry
    assert g.cache.get("fakegeocoder", "uzhhorod", g.params) is MISSING


def test_service_name_needs_user_agent_and_rate_limit_is_nominatim_policy(tmp_path):
    with pytest.raises(GeocoderConfigError, match="user_agent"):
        geo.geocode(frame(["Uzhhorod"]), geocoder="nominatim")
    with pytest.raises(GeocodingError, match="unknown geocoder"):
        GeopyGeocoder("no-such-service", user_agent="incident-mapper-tests")
    g = GeopyGeocoder("nominatim", user_agent="incident-mapper-tests", cache=tmp_path / "c.sqlite")
    assert g.name == "nominatim"
    assert g.min_delay_seconds == 1.0
    assert g.params["country_codes"] == "ua"


def test_cache_uses_wal_and_survives_two_writers(tmp_path):
    path = tmp_path / "shared.sqlite"
    GeocodeCache(path).close()
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_write_many, args=(str(path), w)) for w in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert len(GeocodeCache(path)) == 400


def _write_many(path, worker):
    cache = GeocodeCache(path)
    for i in range(200):
        cache.put("fake", f"w{worker}-q{i}", {}, (float(i), 0.0, "x", "settlement"))
