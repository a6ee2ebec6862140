"""Geocoders: one small base class, one module per service.

* :class:`OfflineGeocoder` (``geocoder="offline"``): the shipped gazetteer, no network.
* :class:`GeopyGeocoder` (``geocoder="nominatim"`` or any geopy service name or geopy
  geocoder instance): online, cached, rate limited, retried.

Every error raised is a :class:`GeocodingError`.
"""

from geo.geocoders.base import Geocoder, GeocoderConfigError, GeocodingError
from geo.geocoders.offline import FUZZY_THRESHOLD, OfflineGeocoder
from geo.geocoders.online import GeopyGeocoder

__all__ = [
    "FUZZY_THRESHOLD",
    "Geocoder",
    "GeocoderConfigError",
    "GeocodingError",
    "GeopyGeocoder",
    "OfflineGeocoder",
]
