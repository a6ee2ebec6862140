"""How the command line tells a user what went wrong: one plain line, never a traceback.

An error raised by a user's input or options maps to an exit code (1 bad data, 2 bad
usage) by its class, in :data:`EXIT_CODES`; anything else is a bug in incident-mapper and
prints one line pointing at ``--debug``. Python warnings print as plain lines too.
"""

from __future__ import annotations

import re
import sys
import warnings
from contextlib import contextmanager

from rich.console import Console

import geo
import incidents
from geo.geocoders import GeocoderConfigError
from maps.assets import AssetsMissing
from incidents.output import OutputError
from maps.paths import InputPathError, OutputPathError

PROG = "incident-map"


class UsageError(ValueError):
    """Arguments argparse accepts but that make no sense together (exit 2)."""


#: (error class, exit code), first match wins: a subclass comes before its base.
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (GeocoderConfigError, 2),      # before GeocodingError: a bad --geocoder/--user-agent
    (geo.SchemeFileError, 1),      # before GeoValueError: the file, not the option, is wrong
    (incidents.IncidentDataError, 1),
    (incidents.StoreError, 1),     # a store missing, foreign, damaged, locked or unreachable
    (InputPathError, 1),
    (geo.UnknownOblastError, 1),
    (geo.GeocodingError, 1),
    (UsageError, 2),
    (OutputPathError, 2),
    (OutputError, 2),              # a library refusal (read-only, same file) the checks missed
    (geo.GeoValueError, 2),
    (OSError, 1),                  # disk full, a file vanishing mid-run: the system, not us
    (AssetsMissing, 1),            # --self-contained offline with no asset cache: says what to run
)


def one_line(text: str) -> str:
    """Lines of ``text`` joined with "; " (a message must stay on one line)."""
    return "; ".join(line.strip() for line in str(text).splitlines() if line.strip())


def explain(error: Exception) -> tuple[int, list[str]]:
    """Exit code and the lines (without the program name) to print for ``error``."""
    for kind, code in EXIT_CODES:
        if isinstance(error, kind):
            if isinstance(error, incidents.IncidentDataError) and len(error.problems) == 1:
                return code, [f"{error.source or 'input'}: {error.problems[0]}"]
            lines = str(error).splitlines() if isinstance(error, incidents.IncidentDataError) else [str(error)]
            return code, [one_line(line) for line in lines if line.strip()]
    return 1, [f"unexpected error ({type(error).__name__}: {one_line(error)}); run with --debug for details"]


#: Control characters but tab and newline: in data they could move the cursor, recolour
#: or retitle the terminal, or hide text (ESC sequences), so they print as ``\\xNN``.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text: object) -> str:
    r"""``text`` with terminal control characters shown as ``\xNN`` (rich keeps ESC).

    >>> plain("id\x1b[31m")
    'id\\x1b[31m'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def say(console: Console, text: str) -> None:
    """Print ``text`` exactly: file names, ids and places are data, never rich markup
    (``[/x]`` would raise MarkupError, ``[link=...]`` would make a link), and never
    terminal control sequences (:func:`plain`)."""
    console.print(plain(text), markup=False, highlight=False)


@contextmanager
def plain_warnings(console: Console):
    """Show Python warnings as ``incident-map: warning: MESSAGE``, each message once,
    instead of Python's ``file:line: Category`` and a line of our source code, which
    tell a user nothing."""
    seen: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        text = one_line(message)
        if text not in seen:
            seen.add(text)
            say(console, f"{PROG}: warning: {text}")

    with warnings.catch_warnings():
        if not sys.warnoptions:  # a user's own python -W ... wins
            # Deprecations are notes for the developers of the libraries, not for users
            # (and test runners switch them on).
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", PendingDeprecationWarning)
        warnings.showwarning = show
        yield
