"""ISO 3166-1 alpha-2 country codes and their English names (pycountry carries the ISO
tables), shared by record validation, the ownership registry, summaries and maps.

Example:
    >>> country_name("US"), country_name("kr"), country_name("XX")
    ('United States', 'South Korea', None)
    >>> "EU" in ISO_ALPHA2, "UA" in ISO_ALPHA2
    (False, True)
"""

from __future__ import annotations

from functools import cache

import pycountry

#: Every officially assigned ISO 3166-1 alpha-2 code ("EU", "UK" and "XK" are not).
ISO_ALPHA2 = frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def country_name(code: str) -> str | None:
    """English short name of an alpha-2 code, or None when it is not one; the common
    name where ISO's is formal ("KR" -> "South Korea", not "Korea, Republic of")."""
    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    return None if country is None else getattr(country, "common_name", country.name)
