"""Errors for values a caller gives that geo cannot use.

Each is a ``ValueError`` (so ``except ValueError`` keeps working) whose message names the
value and what would work, so the command line can print it as it is, on one line.
(:class:`geo.UnknownOblastError` and :class:`geo.GeocodingError` predate this module and
stay where they are.)
"""

from __future__ import annotations

__all__ = ["GeoValueError", "SchemeError", "SchemeFileError", "GroupError", "UnknownPlaceError", "QueryError"]


class GeoValueError(ValueError):
    """Base: a value given to a geo function that it cannot use."""


class SchemeError(GeoValueError):
    """An unknown region scheme name or a malformed ``lon:<degrees>``."""


class SchemeFileError(GeoValueError):
    """A scheme file that is missing, unreadable or malformed (bad data, not bad usage)."""


class GroupError(GeoValueError):
    """A group the scheme does not have, or one group given where two different are needed."""


class UnknownPlaceError(GeoValueError):
    """A place name the offline gazetteer cannot resolve; ``suggestions`` holds similar names."""

    def __init__(self, name: str, suggestions: list[str] | tuple[str, ...] = (), message: str | None = None):
        self.name, self.suggestions = name, tuple(suggestions)
        hint = (f"did you mean {', '.join(map(repr, self.suggestions))}?" if self.suggestions
                else "no similar name either")
        super().__init__(message or f"place not found in the gazetteer: {name!r} ({hint}); or give LAT,LON")


class QueryError(GeoValueError):
    """A coordinate out of range or a negative distance or count."""
