"""How data strings reach the page safely.

Two routes, and only two:

* :func:`escape` — every data string written into HTML on the Python side (legend,
  comparison panel, layer names, notes) passes through it. It HTML-escapes and also
  neutralises backtick, ``$``, backslash and braces, so the result is inert even if it
  later lands in a JS template literal, a JS string or a Jinja template.
* :func:`script_json` — every data payload embedded in a ``<script>`` block is JSON with
  ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, so no value can close the script or
  break the JS parser. In the browser these strings are only ever shown with
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

import html
import json
import re

# Braces too: a template engine that compiles rendered output (branca does) must not
# find "{{ ... }}" or "{% ... %}" in data.
_EXTRA = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"})
#: Replaced one by one with str.replace (C speed; str.translate is slow on megabytes).
_SCRIPT_BREAKERS = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
# Scheme, then "//" and a host: rejects "javascript:", "data:", protocol-relative "//x".
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


def escape(value: object) -> str:
    """HTML-escape ``value`` (quotes included) and neutralise `` ` ``, ``$``, ``\\``, ``{``, ``}``.

    >>> escape("Flex & Co's \\"plant\\"")
    'Flex &amp; Co&#x27;s &quot;plant&quot;'
    """
    return html.escape(str(value), quote=True).translate(_EXTRA)


def script_json(payload: object) -> str:
    """Compact JSON safe to place inside ``<script>`` (no ``</script>``, no U+2028).

    >>> script_json(["\\u2028"])
    '["\\\\u2028"]'
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in _SCRIPT_BREAKERS:
        text = text.replace(char, escaped)
    return text


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
