"""Text folding shared by alias matching and geocoding.

:func:`fold` turns a name as reported into a plain lower-case Latin key, so that
spellings of one name in either script compare equal::

    >>> fold("Мукачево")
    'mukachevo'
    >>> fold("Запоріжжя") == fold("Zaporizhzhia")
    True
    >>> fold("Kyivʼs") == fold("Kyiv's") == "kyivs"
    True

Ukrainian Cyrillic is transliterated with the official table of the Cabinet of
Ministers of Ukraine, resolution No. 55 of 27 January 2010 (the system behind
"Kyiv", "Zaporizhzhia", "Kharkiv"): є ї й ю я are ye yi y yu ya at the start of a
word and ie i i iu ia elsewhere, "зг" is "zgh", the soft sign and the apostrophe
are dropped. Letters that exist only in Russian get the closest reading of that
table (ы -> y, э -> e, ё -> e, ъ dropped), so Russian-language spellings fold to
something a fuzzy matcher can still recognise.

Everything is done with ``str.translate`` tables plus one small regular expression
for the word-initial forms, so folding costs a few microseconds per name.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "name_key"]

#: Apostrophe family: modifier letter apostrophe, ASCII apostrophe, right and left
#: single quotation marks, grave accent, prime, acute accent. Dropped, as the KMU
#: table drops the apostrophe.
APOSTROPHES = "ʼ'’`‘′´"

#: KMU 2010, letters whose reading does not depend on their position.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e",
    "є": "ie", "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia",
    # Russian-only letters, read as the nearest Ukrainian sound.
    "ы": "y", "э": "e", "ё": "e", "ъ": "",
}
#: KMU 2010, readings at the start of a word.
_WORD_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}

_DROP_APOSTROPHES = str.maketrans({a: None for a in APOSTROPHES})
_TABLE = str.maketrans(_CYRILLIC)
# The apostrophe is dropped before the word-initial test runs, so "Знам'янка"
# keeps "я" inside its word ("znamianka"), as the KMU table prescribes.
_INITIAL_RE = re.compile(r"(?<![^\W\d_])([єїйюя])")


def _initial(match: re.Match[str]) -> str:
    return _WORD_INITIAL[match.group(1)]


def fold(text: str) -> str:
    """Lower-case Latin folding of a name, for comparing spellings.

    Lower-cases, drops apostrophes, transliterates Cyrillic (KMU 2010), removes
    diacritics (NFKD) and collapses whitespace. Hyphens and other punctuation are
    kept; callers that want them gone strip them themselves.

    >>> fold("  Ужгород ")
    'uzhhorod'
    >>> fold("Згурівка"), fold("Їжакевич"), fold("Яготин")
    ('zghurivka', 'yizhakevych', 'yahotyn')
    >>> fold("Munkács")
    'munkacs'
    """
    # NFC first: a decomposed "й" (и + breve) must be one letter to transliterate.
    text = unicodedata.normalize("NFC", text).lower().translate(_DROP_APOSTROPHES)
    if not text.isascii():
        if "зг" in text:
            text = text.replace("зг", "zgh")
        text = _INITIAL_RE.sub(_initial, text).translate(_TABLE)
        if not text.isascii():
            text = unicodedata.normalize("NFKD", text)
            # Compatibility forms can decompose to capitals ("𝙰" -> "A") or apostrophes
            # ("＇" -> "'"): lower and drop again.
            text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
            text = text.translate(_DROP_APOSTROPHES)
    return " ".join(text.split())


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def name_key(text: str) -> str:
    """Exact-match key: :func:`fold` with punctuation as single spaces.

    >>> name_key("Ivano-Frankivsk") == name_key("Івано-Франківськ") == "ivano frankivsk"
    True
    """
    return _NON_ALNUM.sub(" ", fold(text)).strip()
