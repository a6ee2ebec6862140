"""Finding registry names in free text, fast and without false word-part hits.

Names and texts go through the same *key* pipeline so that spellings compare equal:
possessive "'s" removed ("Bunge's" -> "Bunge"), punctuation turned into spaces
("Flex Ltd." -> "Flex Ltd", "Nova-Poshta" -> "Nova Poshta"), then
:func:`incidents.textnorm.fold` (lower case, Cyrillic transliterated with the KMU 2010
table, diacritics and apostrophes dropped), so "Флекс", "FLEKS" and "fleks" share one key.

Exact matching compiles every key into ONE regular expression shaped as a trie
(common prefixes factored out), bounded by ``(?<!\\w)`` / ``(?!\\w)`` so "Flex" never
hits "reflex" or "flexible". Python's regex engine skips a trie branch on its first
literal, so one pass over all texts costs about the same for 50 names as for 5,000.

Example:
    >>> m = AliasMatcher([("Flex Ltd.", "Flex", "Флекс"), ("Nestlé",)])
    >>> positions, entries = m.find(["Strike on the Флекс plant", "a nest", "NESTLE"])
    >>> positions.tolist(), [m.names_of(e)[0] for e in entries]
    ([0, 2], ['Flex Ltd.', 'Nestlé'])
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from incidents.textnorm import APOSTROPHES, fold

#: Separates texts inside one joined string; survives folding and is not a word character.
_TEXT_SEPARATOR = "\x00"
# Starts with the apostrophe class so the regex engine can skip ahead to candidates.
_POSSESSIVE = re.compile(rf"[{APOSTROPHES}](?<=\w[{APOSTROPHES}])s(?!\w)")
#: Punctuation that separates words: ASCII punctuation except "&" and "+" (AT&T, C+),
#: typographic dashes and quotes, the numero sign, ellipsis, no-break space.
_PUNCTUATION = re.compile("[" + re.escape(
    "!\"#$%()*,-./:;<=>?@[\\]^_{|}~«»“”„‟‹›–—―‐‑‒−…№\u00a0\u202f") + "]+")
#: Runs of capitalised words (Latin or Cyrillic), where fuzzy company names are sought.
_CAPITALISED_RUN = re.compile(
    r"(?<!\w)[A-ZА-ЯІЇЄҐЁ][\w'’ʼ&-]*(?:[ \t]+[A-ZА-ЯІЇЄҐЁ][\w'’ʼ&-]*)*")
#: Longest run of capitalised words compared as one fuzzy candidate.
FUZZY_MAX_WORDS = 3
#: Names and candidates shorter than this (in key characters) are never fuzzy-matched:
#: one typo in a four-letter name already scores below any useful threshold and
#: short words ("Nest", "Metro") collide with ordinary vocabulary.
FUZZY_MIN_CHARS = 5


def stripped_texts(frame: pd.DataFrame, column: str) -> np.ndarray:
    """The stripped text of every row ("" where missing or not text), as an object array.
    Each distinct value is stripped once: incident columns repeat a lot (the same target
    type, an empty owner), and a per-row loop was most of the cost of an untagged frame."""
    if column not in frame:
        return np.full(len(frame), "", dtype=object)
    values = frame[column]
    try:
        codes, uniques = pd.factorize(values, sort=False)
    except TypeError:  # unhashable values (lists, dicts from nested sources): not text either
        codes, uniques = pd.factorize(values.map(lambda v: v if isinstance(v, str) else None), sort=False)
    # Missing values have code -1: the "" appended last.
    stripped = np.array([v.strip() if isinstance(v, str) else "" for v in uniques] + [""], dtype=object)
    return stripped[codes]


def alias_key(name: str) -> str:
    """The matching key of a name: ``alias_key("Bunge's Oleina-Ltd.") == "bunge oleina ltd"``."""
    return fold(_prefold(name))


def _prefold(text: str) -> str:
    return _PUNCTUATION.sub(" ", _POSSESSIVE.sub("", text))


def key_texts(texts: Sequence[str]) -> list[str]:
    """The key of every text (as :func:`alias_key`, possibly with an edge space).

    Texts are folded in two joined batches, ASCII and the rest, instead of one call each:
    that is ~10x cheaper, and keeps Python's fast ASCII paths for the ASCII majority.
    """
    if not texts:
        return []
    joined = _TEXT_SEPARATOR.join(texts)
    if joined.count(_TEXT_SEPARATOR) != len(texts) - 1:  # a text carries the separator itself
        joined = _TEXT_SEPARATOR.join(t.replace(_TEXT_SEPARATOR, " ") for t in texts)
    joined = _prefold(joined)
    if joined.isascii():
        return fold(joined).split(_TEXT_SEPARATOR)
    prepared = joined.split(_TEXT_SEPARATOR)
    ascii_rows = [i for i, t in enumerate(prepared) if t.isascii()]
    other_rows = [i for i, t in enumerate(prepared) if not t.isascii()]
    keys = [""] * len(prepared)
    for rows in (ascii_rows, other_rows):
        batch = fold(_TEXT_SEPARATOR.join(prepared[i] for i in rows)).split(_TEXT_SEPARATOR)
        for i, key in zip(rows, batch):
            keys[i] = key
    return keys


class _Distinct:
    """The distinct values of a list of texts and where each one occurs.

    Incident tables repeat a lot (the same note on every record of one attack, empty
    fields), so each distinct text is keyed and scanned once.
    """

    def __init__(self, texts: Sequence[str]):
        codes, uniques = pd.factorize(pd.Series(texts, dtype=object), sort=False)
        self.values: list[str] = list(uniques)
        self._order = np.argsort(codes, kind="stable")
        self._bounds = np.searchsorted(codes[self._order], np.arange(len(uniques) + 1))

    def expand(self, hits: list[tuple], columns: int) -> tuple[np.ndarray, ...]:
        """Hits on distinct texts ``(unique, entry[, score])`` -> aligned arrays
        (positions in the original list, entries[, scores]), one row per occurrence."""
        if not hits:
            return _no_hits(columns)
        values = list(zip(*hits))
        uniques = np.asarray(values[0], dtype=np.int64)
        starts, lengths = self._bounds[uniques], self._bounds[uniques + 1] - self._bounds[uniques]
        offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        positions = self._order[np.repeat(starts, lengths) + offsets].astype(np.int64)
        entries = np.repeat(np.asarray(values[1], dtype=np.int64), lengths)
        scores = [np.repeat(np.asarray(v, dtype=np.float64), lengths) for v in values[2:]]
        return (positions, entries, *scores)


def _trie_pattern(keys: Iterable[str]) -> str:
    """A regex matching exactly ``keys`` as whole words, longest alternative first."""
    return r"(?<!\w)" + trie_regex(keys) + r"(?!\w)"


def trie_regex(keys: Iterable[str]) -> str:
    """A regex body matching exactly ``keys`` as a factored trie: one pass over the text,
    where a flat alternation of many words would try each word at every position."""
    trie: dict = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}  # end of a key

    def emit(node: dict) -> str:
        ends_here = "" in node
        branches = [re.escape(ch) + emit(child)
                    for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # A key ending here while longer keys continue: try the longer ones first
        # (greedy "?") and fall back to this one if the word boundary fails after them.
        if ends_here:
            return "(?:" + body + ")?" if len(branches) == 1 else body + "?"
        return body

    return "(?:" + emit(trie) + ")"


class AliasMatcher:
    """Exact (keyed) and fuzzy lookup of the names of a list of entries.

    ``names_per_entry[i]`` are the names of entry ``i``; a key claimed by several
    entries belongs to the first (registries reject such duplicates before this).
    """

    def __init__(self, names_per_entry: Sequence[Sequence[str]]):
        self._names = [tuple(names) for names in names_per_entry]
        self._entry_of_key: dict[str, int] = {}
        #: Keys whose every spelling is a short acronym ("BP", "ABB", "ООН"): these hit
        #: only when the text writes them in capitals too, so "abb" in prose does not.
        self._acronyms: dict[str, list[str]] = {}
        for index, names in enumerate(self._names):
            for name in names:
                key = alias_key(name)
                if key:
                    self._entry_of_key.setdefault(key, index)
                    self._acronyms.setdefault(key, []).append(name)
        self._acronyms = {k: v for k, v in self._acronyms.items()
                          if all(_is_acronym(n) for n in v)}
        self._acronym_patterns = {
            k: re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in v))
            for k, v in self._acronyms.items()}
        self._pattern = re.compile(_trie_pattern(self._entry_of_key)) if self._entry_of_key else None
        self._fuzzy_keys = [k for k in self._entry_of_key if len(k) >= FUZZY_MIN_CHARS]

    def names_of(self, entry: int) -> tuple[str, ...]:
        """The names of entry ``entry`` as given."""
        return self._names[entry]

    def index_of_key(self, key: str) -> int | None:
        """The entry whose names include ``key`` (already keyed), or ``None``."""
        return self._entry_of_key.get(key)

    def find(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Every exact name hit as two aligned arrays: text positions and entries
        (one hit per text and entry).

        Example:
            >>> positions, entries = AliasMatcher([("Flex",)]).find(["reflex, flexible", "a Flex plant"])
            >>> positions.tolist(), entries.tolist()
            ([1], [0])
        """
        if self._pattern is None or not texts:
            return _no_hits(2)
        distinct = _Distinct(texts)
        uniques = distinct.values
        keys = key_texts(uniques)
        joined = _TEXT_SEPARATOR.join(keys)
        separators = np.cumsum([len(k) + 1 for k in keys]) - 1
        matches = [(m.start(), m.group()) for m in self._pattern.finditer(joined)]
        owners = np.searchsorted(separators, [start for start, _ in matches]).tolist()
        pairs = set()
        for unique, (_, key) in zip(owners, matches):
            if key in self._acronyms and not self._acronym_patterns[key].search(uniques[unique]):
                continue
            pairs.add((unique, self._entry_of_key[key]))
        return distinct.expand(sorted(pairs), 2)

    def find_fuzzy(self, texts: Sequence[str], threshold: float) -> tuple[np.ndarray, ...]:
        """Near misses as aligned arrays: text positions, entries, scores (0-100, the
        best per text and entry).

        Only runs of capitalised words (up to :data:`FUZZY_MAX_WORDS`) are candidates,
        compared with :func:`rapidfuzz.fuzz.ratio` on keys of at least
        :data:`FUZZY_MIN_CHARS` characters; each distinct candidate is scored once.

        Example:
            >>> [a.tolist() for a in AliasMatcher([("Flextronics",)]).find_fuzzy(["a Flextronic plant"], 90)]
            [[0], [0], [95.2]]
        """
        if not texts or not self._fuzzy_keys:
            return _no_hits(3)
        distinct = _Distinct(texts)
        grams_of = _capitalised_ngrams(distinct.values)
        all_grams = sorted({g for grams in grams_of for g in grams})
        keyed = {g: k.strip() for g, k in zip(all_grams, key_texts(all_grams))}
        keyed = {g: k for g, k in keyed.items() if len(k) >= FUZZY_MIN_CHARS}
        if not keyed:
            return _no_hits(3)
        unique_keys = sorted(set(keyed.values()))
        scores = process.cdist(unique_keys, self._fuzzy_keys, scorer=fuzz.ratio,
                               score_cutoff=threshold, dtype=np.float32)
        near: dict[str, list[tuple[int, float]]] = {}
        for row, col in zip(*np.nonzero(scores)):
            entry = self._entry_of_key[self._fuzzy_keys[col]]
            near.setdefault(unique_keys[row], []).append((entry, round(float(scores[row, col]), 1)))
        hits = []
        for unique, grams in enumerate(grams_of):
            best: dict[int, float] = {}
            for gram in grams:
                for entry, score in near.get(keyed.get(gram, ""), ()):
                    best[entry] = max(score, best.get(entry, 0.0))
            hits += [(unique, entry, score) for entry, score in best.items()]
        return distinct.expand(hits, 3)


def _no_hits(columns: int) -> tuple[np.ndarray, ...]:
    return tuple(np.zeros(0, dtype=np.int64 if i < 2 else np.float64) for i in range(columns))


def _is_acronym(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return 0 < len(letters) <= 4 and name.isupper()


def _capitalised_ngrams(texts: list[str]) -> list[set[str]]:
    """For each text, the runs of 1..FUZZY_MAX_WORDS consecutive capitalised words."""
    grams_of: list[set[str]] = [set() for _ in texts]
    joined = _TEXT_SEPARATOR.join(texts)
    separators = np.cumsum([len(t) + 1 for t in texts]) - 1
    runs = [(m.start(), m.group()) for m in _CAPITALISED_RUN.finditer(joined)]
    owners = np.searchsorted(separators, [start for start, _ in runs]).tolist()
    for owner, (_, run) in zip(owners, runs):
        words = run.split()
        grams = grams_of[owner]
        for size in range(1, min(FUZZY_MAX_WORDS, len(words)) + 1):
            for start in range(len(words) - size + 1):
                grams.add(" ".join(words[start:start + size]))
    return grams_of
