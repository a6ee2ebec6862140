"""The escaping rules: one HTML escape, one script-JSON encoder, http(s)-only links."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from maps.safety import escape, safe_url, script_json, script_json_parts, script_json_texts

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "${alert(3)}",
    "`backtick` \\ back\\slash",
    "'single' \"double\"",
    "\u202eRTL override\u202c",
    "{{ 7*7 }} {% raw %}",
]


def test_escape_neutralises_markup_and_template_literal_characters():
    for value in HOSTILE:
        out = escape(value)
        for char in "<>\"'`$\\{}":
            assert char not in out, (value, out)


def test_escape_known_values():
    assert escape("a & b") == "a &amp; b"
    assert escape("${x}") == "&#36;&#123;x&#125;"
    assert escape("`") == "&#96;"
    assert escape("\\") == "&#92;"
    assert escape("<b>") == "&lt;b&gt;"


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda kids: st.lists(kids) | st.dictionaries(st.text(), kids), max_leaves=20))
def test_script_json_round_trips_and_cannot_close_a_script(value):
    text = script_json(value)
    assert json.loads(text) == value
    assert "<" not in text and ">" not in text
    assert "\u2028" not in text and "\u2029" not in text


def test_script_json_escapes_script_end_tag():
    assert "</script" not in script_json({"</script>": "</script><script>alert(1)</script>"})


def test_safe_url_keeps_only_absolute_http_links():
    assert safe_url("https://example.org/a?b=c#d") == "https://example.org/a?b=c#d"
    assert safe_url(" HTTP://Example.org ") == "HTTP://Example.org"
    for bad in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>",
                "//evil.example/x", "ftp://example.org", "http://", "https:// space.org",
                "vbscript:x", "", None, 42, "/relative/path"]:
        assert safe_url(bad) is None, bad


# Found by mutation testing (make mutate MODULE=maps.safety): the encoder's options.

def test_script_json_is_compact():
    # Bug: json.dumps' default separators (", ", ": ") -- every payload a third larger.
    value = {"id": ["a", "b"], "killed": [0, 3], "nested": {"k": None}}
    text = script_json(value)
    assert " " not in text
    assert len(text) == len(json.dumps(value, separators=(",", ":")))


def test_script_json_keeps_non_ascii_text_literal():
    # Bug: ensure_ascii left at True -- Cyrillic as \uXXXX, six bytes a letter instead of two.
    assert script_json(["Мукачево", "Mukachevo"]) == '["Мукачево","Mukachevo"]'


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_script_json_refuses_nan_and_infinity(bad):
    # Bug: allow_nan=True -- NaN/Infinity are not JSON; JSON.parse in the page would throw.
    with pytest.raises(ValueError):
        script_json({"latitude": bad})


# Text columns of a million rows are escaped by Arrow (script_json_texts) and written as
# they are (JSONText): the page must hold exactly what script_json would have written.

@given(st.lists(st.text(alphabet=st.characters(codec="utf-8")) | st.sampled_from(
    ["\\", '"', "\\\"", "</script>", "&amp;", "\u2028\u2029", "\x00\x1f\x7f", "\b\t\n\f\r"])))
def test_script_json_texts_writes_what_script_json_writes(texts):
    # Bugs caught: a control character, quote or script breaker left unescaped; quotes
    # escaped before backslashes ('"' -> '\\\\"'); an empty list written as '[""]'.
    assert script_json_texts(pa.array(texts, pa.string())).text == script_json(texts)


def test_script_json_texts_reads_every_chunk():
    # Bug caught: only the first chunk of a column read from several row groups joined.
    texts = pa.chunked_array([["a", "<b>"], ["c"]])
    assert script_json_texts(texts).text == script_json(["a", "<b>", "c"])


def test_script_json_parts_write_json_text_where_it_sits():
    # Bug caught: a JSONText in a nested dict or list written as a quoted string
    # ("[\"a\"]") -- the popup would show the JSON text instead of the incident's id.
    payload = {"id": script_json_texts(pa.array(["a", "</"])), "n": 1,
               "dicts": {"sources": script_json_texts(pa.array(["https://example.org"])), "k": ["x"]},
               "extra": {"names": ["who"], "values": [script_json_texts(pa.array(["<i>"]))]}}
    plain = {"id": ["a", "</"], "n": 1, "dicts": {"sources": ["https://example.org"], "k": ["x"]},
             "extra": {"names": ["who"], "values": [["<i>"]]}}
    assert "".join(script_json_parts(payload)) == script_json(plain)


def test_script_json_refuses_json_text():
    # Bug caught: JSONText as a str (script_json would write it as one quoted string, and
    # the page would show '["a"]' as an id instead of a list of ids).
    with pytest.raises(TypeError):
        script_json({"id": script_json_texts(pa.array(["a"]))})
