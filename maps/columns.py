"""Vectorised column encoders for the incident payload: numbers as compact numpy arrays
(shipped as base64 typed arrays by :func:`maps.safety.script_json`), text as dictionaries
plus codes, source links as one flat index list with row offsets.

A million incidents cost a few numpy passes, no Python loop per row.

Example:
    >>> import pandas as pd
    >>> urls, start, index, dropped = source_index(pd.Series(
    ...     [["https://example.org/a", "javascript:x"], "https://example.org/a", None]))
    >>> urls.text, start.tolist(), index.tolist(), dropped
    ('["https://example.org/a"]', [0, 1, 2, 2], [0, 0], 1)
    >>> day_numbers(pd.Series(["1970-01-11", None])).tolist() == [10, NO_DAY]
    True
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from maps.safety import JSONText, http_url_mask, script_json_texts

#: Day number of an incident without a date (the JS runtime reads the same constant).
NO_DAY = np.iinfo(np.int32).min
#: Links checked per slice by :func:`source_index`.
_SLICE = 1 << 16
#: Large strings: what :func:`maps.safety.script_json_texts` writes without a copy.
_LINK_LISTS = pa.list_(pa.large_string())


def compact(codes: np.ndarray, top: int) -> np.ndarray:
    """Non-negative integer codes below ``top`` in the smallest unsigned type that holds them.

    >>> compact(np.array([0, 3]), 4).dtype, compact(np.array([0, 300]), 301).dtype
    (dtype('uint8'), dtype('uint16'))
    """
    dtype = np.uint8 if top <= 1 << 8 else np.uint16 if top <= 1 << 16 else np.int32
    return np.asarray(codes).astype(dtype)


def source_index(sources: pd.Series) -> tuple[JSONText, np.ndarray, np.ndarray, int]:
    """Source links of each row, kept only if absolute http(s): (distinct URLs in order of
    first use, as the page's JSON list, row offsets ``start`` (row k's links are
    ``index[start[k]:start[k+1]]``), ``index`` into the URLs, number of links dropped).

    A cell is one URL, a list of URLs, or missing; an empty string is no link, not a
    dropped one.
    """
    row, given, encoded = _given_links(sources)
    # Checked once per distinct text (the same link often backs many incidents), a slice
    # at a time (a million distinct links are never all Python strings at once); the
    # dictionary is in order of first use, and so are the safe links kept from it.
    distinct, codes = encoded.dictionary, encoded.indices.to_numpy()
    distinct_safe = np.concatenate([np.zeros(0, bool)] + [
        http_url_mask(distinct.slice(at, _SLICE).to_pylist()) for at in range(0, len(distinct), _SLICE)])
    safe = distinct_safe[codes]
    index = (np.cumsum(distinct_safe) - 1)[codes[safe]]
    urls = script_json_texts(distinct.filter(distinct_safe))
    counts = np.bincount(row[given][safe], minlength=len(sources))
    start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return urls, start, index.astype(np.int32), int((~safe).sum())


def _given_links(sources: pd.Series) -> tuple[np.ndarray, np.ndarray, pa.DictionaryArray]:
    """The row of each link, whether it is given (not empty), and the given links trimmed
    and dictionary-encoded. Its own function so the column-sized intermediates are freed
    before the links are checked and written (a million links: ~100 MB)."""
    cells = sources.to_numpy(dtype=object)
    lists = [v if isinstance(v, (list, tuple, np.ndarray)) else [v] for v in cells]
    try:  # Arrow flattens, trims and dictionary-encodes a million links in C++
        nested = pa.array(lists, type=_LINK_LISTS)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a number or the like: its text (dropped below)
        nested = pa.array([[u if isinstance(u, str) else None if pd.isna(u) else str(u) for u in v] for v in lists],
                          type=_LINK_LISTS)
    row = pc.list_parent_indices(nested).to_numpy()
    text = pc.utf8_trim_whitespace(nested.flatten())
    given = pc.fill_null(pc.not_equal(text, ""), False).to_numpy(zero_copy_only=False)
    return row, given, pc.dictionary_encode(text.filter(given))


def day_numbers(series: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 (int32; :data:`NO_DAY` where there is no date)."""
    dates = pd.to_datetime(series, errors="coerce")
    days = (dates.dt.tz_localize(None) if dates.dt.tz is not None else dates).dt.floor("D")
    numbers = (days - pd.Timestamp("1970-01-01")) // pd.Timedelta(days=1)
    return numbers.astype("Int64").fillna(NO_DAY).to_numpy(dtype=np.int32)
