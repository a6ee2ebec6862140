"""Online geocoding through any geopy geocoder, cached, rate limited and retried.

* The service is a geopy service name (``"nominatim"``, ``"photon"``, ... through
  ``geopy.geocoders.get_geocoder_for_service``) or a ready geopy geocoder instance.
  A name needs ``user_agent`` (Nominatim's usage policy requires one that identifies
  the application).
* Answers are restricted to Ukraine (``country_codes="ua"`` where the service takes it)
  and cached in SQLite (:mod:`geo.cache`) under provider + normalised query + parameters:
  a second run makes zero requests.
* Only cache misses are sent, at most one per ``min_delay_seconds`` (1 s for Nominatim,
  its usage policy) per service and domain, through :func:`geo.ratelimit.wait_turn`: one
  limit for every call in the process and for every process sharing the cache.
* Timeouts, HTTP 429 and "service unavailable" (``GeocoderTimedOut``,
  ``GeocoderRateLimited``, ``GeocoderUnavailable``) are retried with exponential backoff
  (or the server's Retry-After); any other failure is final. A failed query sets
  ``geocode_source`` to ``"error:<reason>"`` and ``geocode_error`` to the message, for that
  row only.
* A service that cannot be reached at all (connection refused, no route, no DNS) is not
  retried, and the places after it are not tried (``"error:not_tried"``): with no
  network, a run ends at once instead of backing off for seconds per place.

Example (never run in tests; they use a fake geocoder):
    >>> geo.geocode(gdf, geocoder="nominatim", user_agent="my-newsroom-map/1.0")  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import inspect
import re
import socket
import time
import urllib.error

import pandas as pd
from geopy.exc import GeocoderRateLimited, GeocoderTimedOut, GeocoderUnavailable, GeopyError
from geopy.geocoders import SERVICE_TO_GEOCODER, get_geocoder_for_service

from geo.cache import MISSING, GeocodeCache
from geo.gazetteer import load_gazetteer, name_key
from geo.ratelimit import wait_turn
from geo.geocoders.base import Geocoder, GeocoderConfigError, empty_results
from geo.regions import oblast

__all__ = ["GeopyGeocoder", "MIN_DELAY_SECONDS"]

#: Seconds between requests, by provider (usage policies); others default to 0.
MIN_DELAY_SECONDS = {"nominatim": 1.0}
_TRANSIENT = {
    GeocoderTimedOut: "timeout",
    GeocoderRateLimited: "rate_limited",
    GeocoderUnavailable: "unavailable",
}
#: geopy/Nominatim ``addresstype`` -> location_precision; anything else is "settlement",
#: the level a place-name query usually resolves to.
_PRECISION = {
    "state": "oblast", "region": "oblast", "district": "raion", "county": "raion",
    "municipality": "hromada", "building": "exact", "amenity": "exact", "road": "exact",
}


class GeopyGeocoder(Geocoder):
    """Adapter from a geopy geocoder to :class:`~geo.geocoders.base.Geocoder`.

    Args:
        service: geopy service name or geopy geocoder instance.
        user_agent: required with a service name.
        cache: a :class:`~geo.cache.GeocodeCache`, a path, ``True`` (default location)
            or ``False`` (no cache).
        min_delay_seconds: seconds between requests (default per provider).
        max_retries: retries of one query after a transient failure.
        error_wait_seconds: first backoff wait; doubles on each retry.
    """

    def __init__(self, service, user_agent: str | None = None, cache=True,
                 min_delay_seconds: float | None = None, max_retries: int = 3,
                 error_wait_seconds: float = 2.0, timeout: float = 10.0, **service_options):
        if isinstance(service, str):
            # The name first: a typo in it is the mistake to report, not the missing agent.
            try:
                cls = get_geocoder_for_service(service)
            except GeopyError as exc:
                close = difflib.get_close_matches(service.lower(), SERVICE_TO_GEOCODER, n=3)
                hint = f"did you mean {', '.join(close)}? " if close else ""
                raise GeocoderConfigError(f"unknown geocoder {service!r} ({hint}use offline or a geopy "
                                          f"service name: {', '.join(SERVICE_TO_GEOCODER)})") from exc
            if not user_agent:
                raise GeocoderConfigError(
                    f"geocoder {service!r} needs a user agent naming your application, e.g. "
                    f"'my-newsroom-map/1.0' (user_agent= in Python, --user-agent on the command line)")
            self.name = service.lower()
            try:
                self.service = cls(user_agent=user_agent, timeout=timeout, **service_options)
            except (GeopyError, TypeError) as exc:  # e.g. a service that needs api_key=
                raise GeocoderConfigError(f"cannot set up geocoder {service!r}: {exc}") from exc
        elif callable(getattr(service, "geocode", None)):
            self.name = type(service).__name__.lower()
            self.service = service
        else:
            raise GeocoderConfigError(f"not a geocoder: {service!r} (a geopy service name or instance)")
        if cache is True or cache is None:
            cache = GeocodeCache()
        elif cache is not False and not isinstance(cache, GeocodeCache):
            cache = GeocodeCache(cache)
        self.cache = None if cache is False else cache  # (an empty cache is falsy: len 0)
        self.min_delay_seconds = MIN_DELAY_SECONDS.get(self.name, 0.0) if min_delay_seconds is None else min_delay_seconds
        # The limit belongs to the server, so a Nominatim at another domain has its own.
        domain = getattr(self.service, "domain", "")
        self.rate_key = f"{self.name}@{domain}" if domain else self.name
        #: Set to the reason once the service could not be reached; later places are skipped.
        self.unreachable: str | None = None
        self.max_retries = max_retries
        self.error_wait_seconds = error_wait_seconds
        self.params = self._params()
        self.requests = 0
        self._sleep = time.sleep

    def _params(self) -> dict:
        """Query parameters: exactly one answer, Ukraine only where supported."""
        accepted = inspect.signature(self.service.geocode).parameters
        params = {"exactly_one": True}
        if "country_codes" in accepted or any(p.kind == p.VAR_KEYWORD for p in accepted.values()):
            params["country_codes"] = "ua"
        return params

    def resolve(self, queries: pd.DataFrame, progress: bool = False) -> pd.DataFrame:
        out = empty_results(len(queries))
        texts = [_query_text(p, o) for p, o in zip(queries["place"], queries["oblast"])]
        rows = range(len(texts))
        if progress:
            from rich.progress import track

            rows = track(rows, description=f"geocoding with {self.name}")
        gaz = load_gazetteer()
        for i in rows:
            if not texts[i]:
                continue
            try:
                answer = self._answer(texts[i])
            except _NotTried:
                out.at[i, "geocode_source"] = "error:not_tried"
                out.at[i, "geocode_error"] = f"not tried: geocoder unreachable ({self.unreachable})"
                continue
            except GeopyError as exc:
                reason = "unreachable" if self.unreachable else \
                    next((r for t, r in _TRANSIENT.items() if isinstance(exc, t)), type(exc).__name__)
                out.at[i, "geocode_source"] = f"error:{reason}"
                out.at[i, "geocode_error"] = f"{type(exc).__name__}: {exc}"
                continue
            if answer is None:
                continue
            lat, lon, address, precision = answer
            nearest = gaz.nearest_settlements([lat], [lon])
            out.loc[i, ["latitude", "longitude"]] = [lat, lon]
            out.loc[i, ["geocoded_name", "geocode_source", "location_precision"]] = [
                address, self.name, precision]
            out.loc[i, ["geocode_score", "geocode_candidates"]] = [100, 1]
            found_oblast = nearest["oblast"].iat[0]
            out.at[i, "geocoded_oblast"] = found_oblast
            if queries["oblast"].iat[i] and queries["oblast"].iat[i] != found_oblast:
                out.at[i, "geocode_flag"] = "result_outside_stated_oblast"
        return out

    def _answer(self, text: str):
        """(lat, lon, address, precision) or None; from the cache, else the service."""
        key = name_key(text)
        if self.cache is not None:
            cached = self.cache.get(self.name, key, self.params)
            if cached is not MISSING:
                return cached
        if self.unreachable:
            raise _NotTried
        return self._request(text, key)

    def _request(self, text: str, key: str):
        for attempt in range(self.max_retries + 1):
            try:
                self.requests += 1
                wait_turn(self.rate_key, self.min_delay_seconds, self.cache)
                location = self.service.geocode(text, **self.params)
                break
            except GeopyError as exc:
                if _connection_failed(exc):  # no point retrying, nor asking for the next place
                    self.unreachable = _short_reason(exc)
                    raise
                if not isinstance(exc, tuple(_TRANSIENT)) or attempt == self.max_retries:
                    raise
                wait = getattr(exc, "retry_after", None) or self.error_wait_seconds * 2 ** attempt
                self._sleep(wait)
        value = None
        if location is not None:
            raw = getattr(location, "raw", None) or {}
            precision = _PRECISION.get(raw.get("addresstype", ""), "settlement")
            value = (float(location.latitude), float(location.longitude),
                     str(location.address), precision)
        if self.cache is not None:
            self.cache.put(self.name, key, self.params, value)
        return value


class _NotTried(Exception):
    """A place skipped because the service was found unreachable earlier in the run."""


def _connection_failed(exc: BaseException) -> bool:
    """Whether ``exc`` (a geopy error) comes from failing to connect at all: refused, no
    route, DNS. geopy names these "unavailable", like an HTTP 503 from a busy server;
    the difference is in the chain of causes, where an answer from a server has an HTTP
    error instead."""
    try:
        from requests.exceptions import ConnectionError as RequestsConnectionError
    except ImportError:  # geopy falls back to urllib
        RequestsConnectionError = ConnectionError
    seen = exc
    while seen is not None:
        if isinstance(seen, urllib.error.HTTPError):
            return False
        if isinstance(seen, (ConnectionError, socket.gaierror, RequestsConnectionError, urllib.error.URLError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _short_reason(exc: BaseException) -> str:
    """"Connection refused" rather than a URL and three layers of wrapped exceptions."""
    found = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(exc))
    return found.group(1).strip() if found else f"{type(exc).__name__}: {str(exc)[:80]}"


def _query_text(place, iso: str) -> str:
    """Free-form query: the place as reported, with the stated oblast when known."""
    if not isinstance(place, str) or not place.strip():
        return ""
    if not iso:
        return place.strip()
    unit = oblast(iso)
    label = unit.name_en if unit.kind != "oblast" or "Oblast" in unit.name_en else f"{unit.name_en} Oblast"
    return f"{place.strip()}, {label}"
