"""One exception family for bad incident data."""

from __future__ import annotations

from dataclasses import dataclass

#: How many problems an error message lists before it only counts the rest.
MAX_LISTED = 20
#: Longest excerpt of a bad value quoted back in a message.
VALUE_EXCERPT = 60


def excerpt(value: object, limit: int = VALUE_EXCERPT) -> str:
    """``value`` as short text for a message: ``'abc…'`` (repr-quoted, truncated)."""
    text = "" if value is None else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


@dataclass(frozen=True)
class Problem:
    """One problem with one field of one row (``row`` is the 1-based line in the file,
    0 for problems with the whole file)."""

    row: int
    field: str
    value: object
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}, {self.field}" if self.row else self.field
        if self.value is None or self.value == "":
            return f"{where}: {self.reason}"
        return f"{where}: {excerpt(self.value)} {self.reason}"


class IncidentDataError(ValueError):
    """Raised for bad incident data; ``.problems`` holds every :class:`Problem` found.

    Example:
        >>> str(IncidentDataError([Problem(17, "date", "yesterday", "is not a date")]))
        "1 problem in the incident data:\\n  row 17, date: 'yesterday' is not a date"
    """

    def __init__(self, problems: list[Problem], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in {self.source or 'the incident data'}:"
        lines = [f"  {p}" for p in self.problems[:MAX_LISTED]]
        if n > MAX_LISTED:
            lines.append(f"  ... and {n - MAX_LISTED} more")
        return "\n".join([head, *lines])
