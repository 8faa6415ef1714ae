"""Prefix suggestions over activity titles: ``SuggestSubsidyNames`` and ``SuggestBusinessNames``.

Built once per index: the distinct titles of one category, each under its normalised key
(:func:`functions.hojin_search.normalize.normalize_text`: width, case, space and kana folding), sorted by key.
A prefix is answered by two binary searches over the keys (the range of keys starting with it), then the
``limit`` keys carried by the most records are returned, most frequent first, equal counts in key order.
Each key answers with its most frequent original spelling, so a suggestion can be pasted into the search.

A title starting with a fiscal year (令和5年度, 平成29年度, 2023年度) is also listed without it: gBizINFO's
titles repeat the programme name year after year, and users type the programme (IT導入…), not the year.
The year-less entry counts the records of every year.

Where the lists come from (the ``CorporationIndex`` build): subsidy titles for ``SuggestSubsidyNames``; for
``SuggestBusinessNames`` the titles of procurement records. gBizINFO suggests the business items (営業品目) of
the unified procurement qualification there; our open data has no such field, and what a corporation sold to
a ministry is the nearest thing it holds.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from functions.hojin_search.normalize import normalize_text

_FISCAL_YEAR = re.compile(r"^\s*(?:(?:令和|平成|昭和)(?:元|[0-9０-９]{1,2})|[0-9０-９]{4})年度\s*")
_BEYOND = "\U0010ffff"  # greater than any character a key can continue with


def spellings_of(title: str) -> list[str]:
    """The entries one title is listed under: itself, and itself without a leading fiscal year."""
    text = title.strip()
    if not text:
        return []
    programme = _FISCAL_YEAR.sub("", text, count=1).strip()
    return [text, programme] if programme and programme != text else [text]


@dataclass(frozen=True)
class TitleSuggestions:
    """Sorted distinct keys with their display spelling and record count (row-aligned)."""

    keys: Any  # pa.StringArray, ascending, distinct
    texts: Any  # pa.StringArray, the most frequent original spelling of each key
    counts: np.ndarray  # int64, the records listed under each key

    @classmethod
    def build(cls, titles: Any) -> TitleSuggestions:
        """From a column of raw titles (nulls and blanks skipped)."""
        counted = pc.value_counts(titles)
        totals: Counter[str] = Counter()
        spellings: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for title, records in zip(counted.field(0).to_pylist(), counted.field(1).to_pylist(), strict=True):
            for spelling in spellings_of(title or ""):
                key = normalize_text(spelling)
                if key:
                    totals[key] += records
                    spellings[key][spelling] += records
        keys = sorted(totals)
        texts = [min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0] for key in keys]
        return cls(
            keys=pa.array(keys, pa.string()),
            texts=pa.array(texts, pa.string()),
            counts=np.array([totals[key] for key in keys], dtype=np.int64),
        )

    def to_table(self) -> Any:
        return pa.table({"key": self.keys, "text": self.texts, "count": self.counts})

    @classmethod
    def from_table(cls, table: Any) -> TitleSuggestions:
        return cls(
            keys=table.column("key").combine_chunks(),
            texts=table.column("text").combine_chunks(),
            counts=table.column("count").to_numpy(),
        )

    def __len__(self) -> int:
        return int(self.counts.size)

    def suggest(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` titles whose key starts with the normalised ``prefix``, most frequent first."""
        wanted = normalize_text(prefix)
        if not wanted or limit <= 0 or not len(self):
            return []
        view = _Keys(self.keys)
        low = bisect.bisect_left(view, wanted)
        high = bisect.bisect_left(view, wanted + _BEYOND, lo=low)
        if low == high:
            return []
        counts = self.counts[low:high]
        chosen = np.arange(counts.size)
        if counts.size > limit:  # keep the `limit` largest counts without sorting the whole range
            threshold = np.partition(counts, counts.size - limit)[counts.size - limit]
            above = np.flatnonzero(counts > threshold)
            ties = np.flatnonzero(counts == threshold)[: limit - above.size]
            chosen = np.sort(np.concatenate([above, ties]))
        order = chosen[np.argsort(-counts[chosen], kind="stable")]
        texts: list[str] = self.texts.take(pa.array(order + low)).to_pylist()
        return texts


class _Keys(Sequence[str]):
    """The keys read one at a time for a binary search (the column stays memory-mapped)."""

    def __init__(self, keys: Any) -> None:
        self._keys = keys

    def __len__(self) -> int:
        return len(self._keys)

    def __getitem__(self, position: Any) -> Any:
        return self._keys[position].as_py()


def empty() -> TitleSuggestions:
    return TitleSuggestions.build(pa.array([], pa.string()))
