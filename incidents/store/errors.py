"""One exception family for the incident store, whatever the backend.

Backends map their driver's errors (sqlite3, psycopg through SQLAlchemy) onto these, so
a caller catches :class:`StoreError` and never sees a driver class; every message passes
through :func:`masked`, so a password given in a store URL never reaches a log or screen.
"""

from __future__ import annotations

import re


class StoreError(Exception):
    """Anything that stops a store operation: the message says what and where, in one line."""


class NotAStoreError(StoreError):
    """The file or database exists but is not an incident store (or is damaged)."""


class StoreVersionError(StoreError):
    """The store was made by a newer incident-mapper than this one."""


class StoreUnavailable(StoreError):
    """The store cannot be reached (no such file, server down, refused login, locked too long)."""


#: user:password@ in a URL; the password is replaced, the user kept (it says which login failed).
_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*):(?P<password>[^@\s]*)@", re.IGNORECASE)


def masked(text: object, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with the password of any URL in it, and every string in ``secrets``,
    replaced by ``***``; one line."""
    out = _PASSWORD.sub(lambda m: f"{m['head']}:***@", str(text))
    for secret in secrets:
        if secret:
            out = out.replace(secret, "***")
    return "; ".join(line.strip() for line in out.splitlines() if line.strip())
