"""How data strings reach the page safely.

Two routes, and only two:

* :func:`escape` — every data string written into HTML on the Python side (legend,
  comparison panel, layer names, notes) passes through it. It HTML-escapes and also
  neutralises backtick, ``$``, backslash and braces, so the result is inert even if it
  later lands in a JS template literal, a JS string or a Jinja template.
* :func:`script_json` — every data payload embedded in a ``<script>`` block is JSON with
  ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, so no value can close the script or
  break the JS parser (:func:`script_json_texts` writes the same for a column of text,
  by Arrow). In the browser these strings are only ever shown with
  ``textContent`` / ``createTextNode`` (never innerHTML), so they display literally.

Links go through :func:`safe_url`: only absolute ``http``/``https`` URLs survive.

Example:
    >>> escape('<img src=x onerror="alert(1)">${x}`')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#36;&#123;x&#125;&#96;'
    >>> script_json({"a": "</script>"})
    '{"a":"\\\\u003c/script\\\\u003e"}'
    >>> safe_url("javascript:alert(1)") is None
    True
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Braces too: a template engine that compiles rendered output (branca does) must not
# find "{{ ... }}" or "{% ... %}" in data.
_EXTRA = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"})
#: Replaced one by one with str.replace (C speed; str.translate is slow on megabytes).
_SCRIPT_BREAKERS = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
# Scheme, then "//" and a host: rejects "javascript:", "data:", protocol-relative "//x".
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
#: numpy types the browser rebuilds as typed arrays (IncidentMapper.decode).
TYPED_ARRAYS = ("uint8", "uint16", "int32", "float64")


def escape(value: object) -> str:
    """HTML-escape ``value`` (quotes included) and neutralise `` ` ``, ``$``, ``\\``, ``{``, ``}``.

    >>> escape("Flex & Co's \\"plant\\"")
    'Flex &amp; Co&#x27;s &quot;plant&quot;'
    """
    return html.escape(str(value), quote=True).translate(_EXTRA)


def _typed_array(value: object) -> dict:
    """A numpy array as {"$b64": its little-endian bytes in base64, "dtype": ...}: 4 bytes
    per int32 instead of up to 11 characters, and no number parsing in the browser."""
    if isinstance(value, np.ndarray) and value.dtype.name in TYPED_ARRAYS:
        data = value.astype(value.dtype.newbyteorder("<"), copy=False).tobytes()
        return {"$b64": base64.b64encode(data).decode("ascii"), "dtype": value.dtype.name}
    raise TypeError(f"cannot put {type(value).__name__} in a page payload")


def script_json(payload: object) -> str:
    """Compact JSON safe to place inside ``<script>`` (no ``</script>``, no U+2028);
    numpy arrays become base64 typed arrays (see :data:`TYPED_ARRAYS`).

    >>> script_json(["\\u2028"])
    '["\\\\u2028"]'
    >>> script_json({"r": np.array([4, 18], dtype=np.uint8)})
    '{"r":{"$b64":"BBI=","dtype":"uint8"}}'
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      default=_typed_array)
    for char, escaped in _SCRIPT_BREAKERS:
        text = text.replace(char, escaped)
    return text


@dataclass(frozen=True)
class JSONText:
    """JSON text already escaped as :func:`script_json` escapes it (from
    :func:`script_json_texts`), in ``parts`` that join to it (no copy of a column's text
    to add the brackets): :func:`script_json_parts` writes them as they are, and
    :func:`script_json` refuses it (it would write it as one quoted string)."""

    parts: tuple[str, ...]

    @property
    def text(self) -> str:
        return "".join(self.parts)


#: What json.dumps writes for each control character (ensure_ascii=False leaves the rest).
_JSON_CONTROLS = {chr(c): {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}.get(c, f"\\u{c:04x}")
                  for c in range(0x20)}


def script_json_texts(texts: "pa.Array | pa.ChunkedArray") -> JSONText:
    """:func:`script_json` of a list of strings (no nulls), escaped and joined by Arrow:
    a million texts never become a million Python strings (~70 MB for a column of ids).

    >>> script_json_texts(pa.array(['a "b"', "</script>", ""])).text
    '["a \\\\"b\\\\"","\\\\u003c/script\\\\u003e",""]'
    """
    text = pa.chunked_array([texts]) if isinstance(texts, pa.Array) else texts
    text = text.cast(pa.large_string()).combine_chunks()  # large: a column may pass 2 GB
    if not len(text):
        return JSONText(("[]",))
    # One scan finds whether anything needs escaping (most columns: nothing), then each
    # character is replaced where present, backslashes first: the escapes after them bring
    # their own.
    if pc.any(pc.match_substring_regex(text, '[\\\\"<>&\\x00-\\x1f\\x{2028}\\x{2029}]')).as_py():
        for char, escaped in [("\\", "\\\\"), ('"', '\\"'), *_JSON_CONTROLS.items(), *_SCRIPT_BREAKERS]:
            if pc.any(pc.match_substring(text, char)).as_py():
                text = pc.replace_substring(text, char, escaped)
    rows = pa.LargeListArray.from_arrays(pa.array([0, len(text)], pa.int64()), text)
    joined = pc.binary_join(rows, pa.scalar('","', pa.large_string()))[0].as_py()
    return JSONText(('["', joined, '"]'))


def script_json_parts(payload: dict) -> Iterator[str]:
    """:func:`script_json` of a dict as parts that join to it, one per key, each made only
    when it is reached: a payload of hundreds of megabytes is never one string (a
    non-ASCII letter anywhere would make all of it two bytes a character), and each part is
    escaped on its own. :class:`JSONText` values (also in a dict or list value) are
    written as they are.

    >>> "".join(script_json_parts({"a": [1], "b": "</"})) == script_json({"a": [1], "b": "</"})
    True
    """
    yield from _parts(payload, split=True)


def _parts(value: object, split: bool = False) -> Iterator[str]:
    if isinstance(value, JSONText):
        yield from value.parts
    elif isinstance(value, dict) and (split or _holds_text(value)):
        yield "{"
        for k, (key, item) in enumerate(value.items()):
            yield "," * (k > 0) + script_json(str(key)) + ":"
            yield from _parts(item)
        yield "}"
    elif isinstance(value, list) and _holds_text(value):
        yield "["
        for k, item in enumerate(value):
            yield "," * (k > 0)
            yield from _parts(item)
        yield "]"
    else:
        yield script_json(value)


def _holds_text(value: object) -> bool:
    """Whether a dict or list holds a :class:`JSONText`, directly or in a dict value."""
    if isinstance(value, dict):
        return any(_holds_text(item) for item in value.values())
    if isinstance(value, list):
        return any(isinstance(item, JSONText) for item in value)
    return isinstance(value, JSONText)


def http_url_mask(texts) -> np.ndarray:
    """Which of ``texts`` (already stripped strings) are absolute http(s) URLs, as
    :func:`safe_url` decides, without a Python call per text.

    >>> http_url_mask(["https://example.org", "javascript:x"]).tolist()
    [True, False]
    """
    match = _HTTP_URL.match
    return np.fromiter((match(t) is not None for t in texts), bool, len(texts))


def safe_url(url: object) -> str | None:
    """``url`` stripped if it is an absolute http(s) URL, else ``None``.

    >>> safe_url(" https://example.org/a?b=1 ")
    'https://example.org/a?b=1'
    >>> safe_url("//evil.example") is None
    True
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    return url if _HTTP_URL.match(url) else None
