"""Full-text search over corporation names inside SPARQL: a magic predicate backed by a bigram index.

``?s <urn:gbizinfo:text#query> "文字列"`` (or ``text:query`` with ``PREFIX text: <urn:gbizinfo:text#>``) binds
``?s`` to the corporations (``<http://hojin-info.go.jp/data/basic/{number}>``) whose name contains the text,
under the same normalisation as the REST search (:mod:`functions.hojin_search.normalize`: width, case and kana
folding, corporate-kind words ignored). As with Apache Jena's ``text:query``, a list form sets the most
subjects returned: ``?s text:query ("文字列" 500)``; the default is :data:`DEFAULT_TEXT_LIMIT`, in corporate
number order.

The triple is rewritten, before the query reaches the store, into ``VALUES ?s { <…> <…> }`` holding the
matching subjects, so pyoxigraph joins the rest of the pattern from those few subjects instead of scanning
every name with ``FILTER(CONTAINS(…))``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pyroaring import BitMap

from functions.hojin_search.normalize import normalize_name
from functions.hojin_search.rdf import corporation_iri
from functions.hojin_search.search.grams import build_gram_bitmaps
from platform_common.errors import InvalidInput

TEXT_NAMESPACE = "urn:gbizinfo:text#"
TEXT_QUERY = TEXT_NAMESPACE + "query"
DEFAULT_TEXT_LIMIT = 10_000
MAX_TEXT_LIMIT = 100_000

_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<urn:gbizinfo:text#>", re.IGNORECASE)
_STRING = r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\''


class NameIndex:
    """Corporation names, normalised, with one bitmap per character and per character pair."""

    def __init__(self, corporate_numbers: Sequence[str], names: Sequence[str]) -> None:
        if len(corporate_numbers) != len(names):
            raise ValueError("one name per corporate number")
        order = np.argsort(np.asarray(corporate_numbers, dtype="U13"), kind="stable")
        self._numbers: list[str] = [corporate_numbers[i] for i in order.tolist()]
        self._names: list[str] = [normalize_name(names[i] or "") for i in order.tolist()]
        self._unigrams, self._bigrams = build_gram_bitmaps(self._names)

    def __len__(self) -> int:
        return len(self._numbers)

    def search(self, text: str, limit: int = DEFAULT_TEXT_LIMIT) -> list[str]:
        """Corporate numbers whose normalised name contains the normalised ``text``, in number order."""
        needle = normalize_name(text)
        if not needle:
            raise InvalidInput.for_field("text:query", "the text has no characters besides corporate-kind words")
        if len(needle) == 1:
            candidates = self._unigrams.get(needle, BitMap())
        else:
            grams = {needle[i : i + 2] for i in range(len(needle) - 1)}
            bitmaps = [self._bigrams.get(gram) for gram in grams]
            if any(b is None for b in bitmaps):
                return []
            candidates = BitMap.intersection(*[b for b in bitmaps if b is not None])
        found: list[str] = []
        exact = len(needle) <= 2
        for row in candidates:
            if exact or needle in self._names[row]:
                found.append(self._numbers[row])
                if len(found) >= limit:
                    break
        return found


@dataclass(frozen=True)
class TextPattern:
    variable: str
    text: str
    limit: int


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), value)


def _predicate_pattern(query: str) -> str:
    forms = [re.escape(f"<{TEXT_QUERY}>")]
    for match in _PREFIX_DECL.finditer(query):
        forms.append(re.escape(f"{match.group(1) or ''}:query"))
    return "(?:" + "|".join(forms) + ")"


def _pattern(query: str) -> re.Pattern[str]:
    predicate = _predicate_pattern(query)
    obj = rf"(?:{_STRING}|\(\s*(?:{_STRING})\s+(\d+)\s*\))"
    return re.compile(rf"(\?[A-Za-z_]\w*)\s+{predicate}\s+{obj}\s*([.;])?")


def find_text_patterns(query: str) -> list[TextPattern]:
    found = []
    for match in _pattern(query).finditer(query):
        variable, d1, s1, d2, s2, limit, _end = match.groups()
        text = next(v for v in (d1, s1, d2, s2) if v is not None)
        found.append(TextPattern(variable, _unescape(text), _limit(limit)))
    return found


def _limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_TEXT_LIMIT
    value = int(raw)
    if not 1 <= value <= MAX_TEXT_LIMIT:
        raise InvalidInput.for_field("text:query", f"the limit must be between 1 and {MAX_TEXT_LIMIT}")
    return value


def rewrite_text_queries(query: str, index: NameIndex | None) -> str:
    """Replace each full-text triple by a VALUES block of the matching corporations (see the module doc)."""
    pattern = _pattern(query)
    if pattern.search(query) is None:
        return query
    if index is None:
        raise InvalidInput.for_field("query", "full-text search is not available on this endpoint")

    def replace(match: re.Match[str]) -> str:
        variable, d1, s1, d2, s2, limit, end = match.groups()
        text = _unescape(next(v for v in (d1, s1, d2, s2) if v is not None))
        numbers = index.search(text, _limit(limit))
        values = " ".join(f"<{corporation_iri(number)}>" for number in numbers)
        block = f"VALUES {variable} {{ {values} }} "
        # ";" continued the subject's predicate list: start it again after the block.
        return block + (f"{variable} " if end == ";" else "")

    return pattern.sub(replace, query)
