"""Reading a CSV file: encoding, delimiter, and the rows real files get wrong.

The fast path is Arrow's multi-threaded reader on a clean UTF-8 file. Anything else takes
the careful path, record by record with the ``csv`` module:

* Encoding is decided for the file as a whole, with evidence: UTF-8 when its valid
  multi-byte characters outnumber its invalid bytes (the rows holding those bytes are
  rejected, naming the byte and where it is); cp1251 or cp1252 only when the file as a
  whole fits them better (see :func:`legacy_decode`).
* A row with more or fewer fields than the header is a row error naming its line; the
  other rows load.
* A quote that is never closed is reported with the line where it opened.

Example:
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_text("id;date\\na;21.08.2025\\n", encoding="utf-8")
    >>> table = read_csv(path)
    >>> table.attrs["delimiter"], list(table.cells.columns)
    ('semicolon', ['id', 'date'])
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from incidents.errors import IncidentDataError, Problem
from incidents.readers import CONTROL_BYTES, RawTable, check_header, file_error
from incidents.schema import CRS

#: Delimiters a CSV may use: comma, semicolon (European Excel, where the comma is the
#: decimal mark), tab.
DELIMITERS = (",", ";", "\t")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_BAD_BYTE = re.compile("[\udc80-\udcff]")


def sniff_delimiter(header: str) -> str:
    """The delimiter of a CSV from its header line: the most frequent of comma,
    semicolon and tab outside quotes (comma on a tie)."""
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def legacy_decode(data: bytes, source: str = "file") -> tuple[str, str]:
    """Decode bytes that are not UTF-8 as cp1251 or cp1252.

    Cyrillic text saved by Windows tools is cp1251; Western European text (UCDP exports
    opened in Excel) is cp1252. cp1251 wins when whole words of Cyrillic letters appear,
    since cp1252 accents read as cp1251 become single Cyrillic letters inside Latin words
    ("Munkбcs"). Returns ``(text, encoding)``.
    """
    cyrillic = data.decode("cp1251", errors="replace")
    in_words = len(re.findall(r"[\u0400-\u04ff]{2,}", cyrillic))
    in_latin = len(re.findall(r"[A-Za-z][\u0400-\u04ff]|[\u0400-\u04ff][A-Za-z]", cyrillic))
    if in_words > in_latin:
        return cyrillic, "cp1251"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise file_error(source, "is neither UTF-8, cp1251 nor cp1252 text") from None


def decode(data: bytes, source: str = "file") -> tuple[str, str]:
    """``(text, encoding)``: UTF-8 (with or without BOM) when the file as a whole is UTF-8,
    even with a few stray bytes (kept as surrogates for the rows that hold them to be
    rejected); else :func:`legacy_decode`."""
    data = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    text = data.decode("utf-8", errors="surrogateescape")
    bad = len(_BAD_BYTE.findall(text))
    if not bad:
        return text, "utf-8"
    valid = len(text) - len(text.encode("ascii", "ignore")) - bad  # non-ASCII characters that decoded
    if valid > bad:
        return text, "utf-8"
    return legacy_decode(data, source)


def read_csv(path: Path, numeric=lambda header: False) -> RawTable:
    """Read a CSV file; ``numeric(header)`` says which columns Arrow may parse as numbers."""
    data = path.read_bytes()
    if not data[:4096].strip() and not data.strip():  # only a blank start is worth a full scan
        raise file_error(path, "is empty (expected a header line and incident rows)")
    head = data[:65536].decode("utf-8", errors="replace").lstrip("\ufeff")
    delimiter = sniff_delimiter(re.split(r"\r\n|\r|\n", head, maxsplit=1)[0])
    header = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), [])
    check_header([h.strip() for h in header], path)
    # One pass over the bytes tells whether any cell can hold a control character.
    attrs = {"delimiter": _NAMES[delimiter], "empty_lines": 0,
             "control_free": len(data.translate(None, CONTROL_BYTES)) == len(data)}
    cells = _arrow(data, header, delimiter, numeric)
    if cells is not None and not _needs_care(data, cells):
        lines, rejected = None, []
        attrs["encoding"] = "utf-8"
    else:
        text, attrs["encoding"] = decode(data, str(path))
        cells, lines, rejected, attrs["empty_lines"] = _careful(text, delimiter, path)
    cells.columns = [str(c).strip().lstrip("\ufeff") for c in cells.columns]
    return RawTable(cells, lines, _wkt_geometry(cells, path), attrs, rejected)


def _arrow(data: bytes, header: list[str], delimiter: str, numeric) -> pd.DataFrame | None:
    """Arrow's multi-threaded reader; None when it refuses the file (not UTF-8, ragged rows,
    quoted line breaks). Numeric columns are left to its type inference (a column with text
    in it stays text, and validation names the bad values); everything else is read as text."""
    text_columns = {name: str for name in header if not numeric(name.strip().lstrip("\ufeff"))}
    try:
        return pd.read_csv(io.BytesIO(data), dtype=text_columns, engine="pyarrow", keep_default_na=False,
                           sep=delimiter)
    except (pa.ArrowInvalid, UnicodeDecodeError, pd.errors.ParserError, ValueError):
        return None


def _needs_care(data: bytes, cells: pd.DataFrame) -> bool:
    """Empty lines, quoted line breaks, CR-only endings or an odd number of quotes (one never
    closed, which Arrow lets run to the end of the file): Arrow's table cannot be trusted to
    have one record per line, so the careful path reads the file again."""
    return (data.count(b"\n") - data.endswith(b"\n") != len(cells) or b"\r" in data and b"\n" not in data
            or data.count(b'"') % 2 == 1)


def _careful(text: str, delimiter: str, path: Path) -> tuple[pd.DataFrame, np.ndarray, list[Problem], int]:
    """Record by record: ``(cells, lines, rejected, empty lines)``; rows of the wrong
    width and rows holding bytes that are not UTF-8 are rejected by their line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    rows, lines, rejected, empty = [], [], [], 0
    line = reader.line_num + 1
    try:
        for record in reader:
            if not record:
                empty += 1
            elif len(record) != len(header):
                rejected.append(Problem(line, "row", delimiter.join(record)[:200],
                                        f"has {len(record)} fields but the header has {len(header)} "
                                        "(an unquoted separator inside a value?)"))
            elif any(_BAD_BYTE.search(value) for value in record):
                column, value = next((h, v) for h, v in zip(header, record) if _BAD_BYTE.search(v))
                where = _BAD_BYTE.search(value)
                byte = ord(where.group(0)) - 0xDC00
                rejected.append(Problem(line, column, _BAD_BYTE.sub("\ufffd", value),
                                        f"holds byte 0x{byte:02X} (character {where.start() + 1}) that is not UTF-8; "
                                        "save the file as UTF-8"))
            else:
                rows.append(record)
                lines.append(line)
            line = reader.line_num + 1
    except csv.Error:
        raise IncidentDataError([Problem(line, "row", None, "opens a quote that is never closed "
                                         "(a value with a stray \" character?)")], str(path)) from None
    cells = pd.DataFrame(rows, columns=header, dtype=object).astype("str") if rows else \
        pd.DataFrame({h: pd.Series(dtype="str") for h in header})
    return cells, np.asarray(lines, dtype=np.int64), rejected, empty


def _wkt_geometry(cells: pd.DataFrame, path: Path) -> gpd.GeoSeries | None:
    """Shapes of a WKT column (``wkt`` or ``geometry``), as desktop GIS exports CSV."""
    column = next((c for c in ("wkt", "geometry") if c in cells.columns), None)
    if column is None:
        return None
    wkt = cells[column].where(cells[column].str.strip() != "", None)
    try:
        return gpd.GeoSeries.from_wkt(wkt, crs=CRS)
    except Exception as err:  # shapely raises GEOSException subclasses
        raise IncidentDataError([Problem(0, column, None, f"holds text that is not WKT ({err})")], str(path)) from None
