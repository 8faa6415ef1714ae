"""``CorporationIndex``: name search and filters over every corporation without scanning the names.

Rows are sorted by corporate number, so row id order is number order and "the first N by number" is the first
N ids of a bitmap. A name query is normalised (``normalize_name``), then:

- 1 character: the unigram bitmap of that character (exact);
- 2 characters: the bigram bitmap (exact);
- 3 or 4 characters found in at least ``FREQUENT_NGRAM_ROWS`` names: that n-gram's own bitmap (exact). These
  are the queries whose candidates would be many (サービス, 工業所): without them confirming 100,000+
  candidates costs tens of milliseconds;
- other 3+ characters: the AND of its bigram bitmaps (and of the frequent 3-/4-grams it contains), then each
  candidate is confirmed with a substring test over the normalised names (Arrow ``match_substring`` on the
  candidates only). The count is always exact: every candidate is confirmed;
- corporate-kind words in the query (株式会社, (株), …) select the names that carried them (one bitmap per
  canonical kind word, filled from the raw names at build); a query made only of kind words is exactly that.

Categorical filters (prefecture, city, kind code, status, founding year, activity presence) are bitmaps ANDed
smallest first; numeric ranges (capital, employees) are numpy masks over the surviving rows only; activity
title and amount filters are evaluated over the activity rows of one category (Arrow compute) and cached.
Finance ranges (net sales, total assets of the latest finance record) and workplace bands (of the latest
workplace record) are masks over the figures of the corporations having such records — kept for those only
(:class:`.columns.SparseFigures`) — turned into bitmaps, cached like the activity filters.
Lookup by corporate number is a binary search over the sorted numbers. Subsidy and procurement titles are
listed for prefix suggestions (:mod:`.suggest`).
"""

from __future__ import annotations

import bisect
import gc
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial, reduce
from pathlib import Path
from typing import Any, Final, cast

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.ipc as ipc  # type: ignore[import-untyped]
from pyroaring import BitMap

from functions.hojin_search.normalize import kind_words, name_bigrams, normalize_name, normalize_names, normalize_text
from functions.hojin_search.search.bands import WORKPLACE_BANDS
from functions.hojin_search.search.columns import NULL, SparseFigures, float_column, int_column, latest_per_row
from functions.hojin_search.search.grams import (
    bitmap_of,
    build_frequent_ngram_bitmaps,
    build_gram_bitmaps,
    group_bitmaps,
    rows_of,
)
from functions.hojin_search.search.query import (
    FINANCE_RANGES,
    SOURCE_CATEGORIES,
    TITLE_FILTERS,
    HojinQuery,
    SearchResult,
)
from functions.hojin_search.search.suggest import TitleSuggestions

# 2: finance and workplace figures, title suggestions. A version-1 index still loads (as if no finance,
# workplace or title had been ingested) so a search function deployed before the next build keeps answering.
FORMAT_VERSION = 2
READABLE_VERSIONS: Final = frozenset({1, FORMAT_VERSION})
FREQUENT_NGRAM_ROWS = 5000  # 3-/4-grams in at least this many names get a bitmap (measured: bench/)
ACTIVE = "現存"
WORKPLACE_FIGURES: Final = tuple(WORKPLACE_BANDS)
FIGURE_CATEGORIES: Final = ("finance", "workplace")
# Which activity titles each suggestion list is built from (see .suggest for why procurement).
SUGGESTION_SOURCES: Final = {"subsidy": "subsidy", "business": "procurement"}
SLIM_FIELDS = ("corporate_number", "name", "name_en", "location", "postal_code", "status", "update_date")
_TABLE_FILE, _BITMAPS_FILE, _MANIFEST_FILE = "table.arrow", "bitmaps.arrow", "manifest.json"
_CACHE_SIZE = 256
_SUGGEST_SCAN = 50  # candidates examined per suggestion returned

_EMPTY = BitMap()


@dataclass(frozen=True)
class _Activities:
    """The rows of one activity category, reduced to what filters need."""

    rows: np.ndarray  # int32 corporation row of each record
    title: Any  # pa.StringArray, normalize_text of the title
    amount: np.ndarray  # int64, NULL when absent
    departments: Any  # pa.StringArray, normalize_text of government_departments

    def to_table(self) -> Any:
        return pa.table(
            {"rows": self.rows, "title": self.title, "amount": self.amount, "departments": self.departments}
        )

    @classmethod
    def from_table(cls, table: Any) -> _Activities:
        return cls(
            rows=table.column("rows").to_numpy(),
            title=table.column("title").combine_chunks(),
            amount=table.column("amount").to_numpy(),
            departments=table.column("departments").combine_chunks(),
        )


def _text_column(table: Any, name: str) -> Any:
    if name not in table.column_names:
        return pa.array([""] * table.num_rows, pa.string())
    encoded = pc.dictionary_encode(table.column(name).combine_chunks())
    distinct = [normalize_text(v) if v else "" for v in encoded.dictionary.to_pylist()]
    return pc.fill_null(pa.array(distinct, pa.string()).take(encoded.indices), "")


class CorporationIndex:
    """The in-memory search engine (see the module docstring). Build once per ingest; load in the function."""

    def __init__(
        self,
        table: Any,
        unigrams: dict[str, BitMap],
        bigrams: dict[str, BitMap],
        families: dict[str, dict[str, BitMap]],
        activities: dict[str, _Activities],
        suggestions: Mapping[str, TitleSuggestions] | None = None,
        figures: Mapping[str, SparseFigures] | None = None,
    ) -> None:
        self._table = table
        self._columns = {name: _single(table.column(name)) for name in table.column_names}
        self._numbers = self._columns["number"].to_numpy()
        self._norm = self._columns["norm"]
        self._capital = self._columns["capital_stock"].to_numpy()
        self._employees = self._columns["employee_number"].to_numpy()
        self._activity_count = self._columns["number_of_activity"].to_numpy()
        self._figures = {
            category: (figures or {}).get(category) or SparseFigures.empty() for category in FIGURE_CATEGORIES
        }
        self._suggestions = {
            kind: (suggestions or {}).get(kind) or TitleSuggestions.build(pa.array([], pa.string()))
            for kind in SUGGESTION_SOURCES
        }
        self._suggest_order = self._columns["suggest_order"].to_numpy()
        self._ngrams = families.get("ngram", {})
        self._unigrams = unigrams
        self._bigrams = bigrams
        self._families = families
        self._activities = activities
        self._filter_cache: OrderedDict[tuple[Any, ...], BitMap] = OrderedDict()

    # ------------------------------------------------------------------------------------------ build

    @classmethod
    def build(
        cls, corporations: Any, activities: Mapping[str, Any], *, frequent_ngram_rows: int = FREQUENT_NGRAM_ROWS
    ) -> CorporationIndex:
        """From the corporations table (devstack.synthdata CORPORATION_SCHEMA columns; others ignored) and
        activity tables keyed by category (a ``corporate_number`` column, and ``title``/``amount``/
        ``government_departments`` where the category has them). 3- and 4-character substrings found in at
        least ``frequent_ngram_rows`` names get their own bitmap."""
        count = corporations.num_rows
        numbers = int_column(corporations.column("corporate_number"), 0, np.int64)
        if count > 1 and not bool(np.all(numbers[1:] > numbers[:-1])):
            order = np.argsort(numbers, kind="stable")
            corporations, numbers = corporations.take(pa.array(order)), numbers[order]

        norm, words_of_rows = normalize_names(corporations.column("name").to_pylist())
        kinds: dict[tuple[str, ...], list[int]] = {}
        for row, words in enumerate(words_of_rows):
            if words:
                kinds.setdefault(words, []).append(row)
        del words_of_rows
        kind_rows: dict[str, BitMap] = {}
        for words, rows in kinds.items():
            bitmap = bitmap_of(np.asarray(rows))
            for word in words:
                kind_rows[word] = kind_rows[word] | bitmap if word in kind_rows else bitmap
        unigrams, bigrams = build_gram_bitmaps(norm)
        ngrams = build_frequent_ngram_bitmaps(norm, min_rows=frequent_ngram_rows)

        def column(name: str) -> Any:
            if name in corporations.column_names:
                return corporations.column(name)
            return pa.nulls(count, pa.string())

        status = column("status")
        active = np.asarray(pc.fill_null(pc.equal(status, ACTIVE), False).to_numpy(zero_copy_only=False))
        families: dict[str, dict[str, BitMap]] = {
            "kind_word": kind_rows,
            "prefecture": _keyed(group_bitmaps(int_column(column("prefecture_code"), 0, np.int32), skip=0)),
            "city": _keyed(group_bitmaps(int_column(column("city_code"), 0, np.int32), skip=0)),
            "kind": _keyed(group_bitmaps(int_column(column("kind"), 0, np.int32), skip=0)),
            "founded_year": _keyed(group_bitmaps(int_column(column("founding_year"), 0, np.int32), skip=0)),
            "exist": _keyed(group_bitmaps(active.astype(np.int8))),
            "ngram": ngrams,
        }

        activity_count = np.zeros(count, dtype=np.int32)
        reduced: dict[str, _Activities] = {}
        has: dict[str, BitMap] = {}
        figures: dict[str, SparseFigures] = {}
        for category, records in activities.items():
            owners = int_column(records.column("corporate_number"), -1, np.int64)
            position = np.searchsorted(numbers, owners)
            position[position >= count] = 0
            known = numbers[position] == owners if count else np.zeros(owners.size, dtype=bool)
            records = records.filter(pa.array(known))
            rows = position[known].astype(np.int32)
            amount = (
                int_column(records.column("amount"), int(NULL), np.int64)
                if "amount" in records.column_names
                else np.full(rows.size, NULL, dtype=np.int64)
            )
            reduced[category] = _Activities(
                rows=rows,
                title=_text_column(records, "title"),
                amount=amount,
                departments=_text_column(records, "government_departments"),
            )
            activity_count += np.bincount(rows, minlength=count).astype(np.int32)
            has[category] = bitmap_of(np.unique(rows))
            if category in FIGURE_CATEGORIES:
                figures[category] = _latest_figures(category, records, rows)
        families["has"] = has
        suggestions = {
            kind: TitleSuggestions.build(_titles(activities.get(category)))
            for kind, category in SUGGESTION_SOURCES.items()
        }

        norm_array = pa.array(norm, pa.string())
        del norm
        table = pa.table(
            {
                **{name: column(name).cast(pa.string()) for name in SLIM_FIELDS},
                "number": numbers,
                "norm": norm_array,
                "capital_stock": int_column(column("capital_stock"), int(NULL), np.int64),
                "employee_number": int_column(column("employee_number"), int(NULL), np.int64),
                "number_of_activity": activity_count,
                "suggest_order": pc.sort_indices(norm_array).cast(pa.int32()),
            }
        ).combine_chunks()
        return cls(table, unigrams, bigrams, families, reduced, suggestions, figures)

    # ----------------------------------------------------------------------------------- persistence

    def save(self, directory: Path) -> None:
        """Write the index into ``directory``: an Arrow IPC table (row-aligned columns), one Arrow IPC file of
        serialized bitmaps (family, key, bytes), one per activity category, and ``manifest.json``."""
        directory.mkdir(parents=True, exist_ok=True)
        _write_ipc(directory / _TABLE_FILE, self._table)
        families, keys, blobs = [], [], []
        for family, maps in (("unigram", self._unigrams), ("bigram", self._bigrams), *self._families.items()):
            for key, bitmap in maps.items():
                families.append(family)
                keys.append(key)
                blobs.append(bitmap.serialize())
        _write_ipc(
            directory / _BITMAPS_FILE,
            pa.table({"family": families, "key": keys, "data": pa.array(blobs, pa.large_binary())}),
        )
        for category, activity in self._activities.items():
            _write_ipc(directory / f"activity-{category}.arrow", activity.to_table())
        for kind, suggestions in self._suggestions.items():
            _write_ipc(directory / f"suggest-{kind}.arrow", suggestions.to_table())
        for category, figures in self._figures.items():
            _write_ipc(directory / f"figures-{category}.arrow", figures.to_table())
        manifest = {
            "version": FORMAT_VERSION,
            "corporations": self._table.num_rows,
            "unigrams": len(self._unigrams),
            "bigrams": len(self._bigrams),
            "frequent_ngrams": len(self._ngrams),
            "activities": {category: int(a.rows.size) for category, a in self._activities.items()},
            "suggestions": {kind: len(suggestions) for kind, suggestions in self._suggestions.items()},
            "figures": {category: int(figures.rows.size) for category, figures in self._figures.items()},
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        (directory / _MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> CorporationIndex:
        """Read an index written by :meth:`save` (tables memory-mapped); freezes the objects it creates so the
        garbage collector does not walk millions of them on every collection."""
        manifest = json.loads((directory / _MANIFEST_FILE).read_text(encoding="utf-8"))
        if manifest.get("version") not in READABLE_VERSIONS:
            raise ValueError(f"index format {manifest.get('version')!r} is not {FORMAT_VERSION}")
        table = _read_ipc(directory / _TABLE_FILE)
        bitmaps = _read_ipc(directory / _BITMAPS_FILE)
        maps: dict[str, dict[str, BitMap]] = {}
        family_column = bitmaps.column("family").to_pylist()
        key_column = bitmaps.column("key").to_pylist()
        data_column = bitmaps.column("data").combine_chunks()
        offsets = np.frombuffer(data_column.buffers()[1], dtype=np.int64)[data_column.offset :].tolist()
        payload = memoryview(data_column.buffers()[2]).cast("B")
        for i, (family, key) in enumerate(zip(family_column, key_column, strict=True)):
            maps.setdefault(family, {})[key] = BitMap.deserialize(cast(bytes, payload[offsets[i] : offsets[i + 1]]))
        del family_column, key_column
        activities = {
            category: _Activities.from_table(_read_ipc(directory / f"activity-{category}.arrow"))
            for category in manifest["activities"]
        }
        suggestions = {
            kind: TitleSuggestions.from_table(_read_ipc(directory / f"suggest-{kind}.arrow"))
            for kind in manifest.get("suggestions", {})
        }
        figures = {
            category: SparseFigures.from_table(_read_ipc(directory / f"figures-{category}.arrow"))
            for category in manifest.get("figures", {})
        }
        unigrams, bigrams = maps.pop("unigram", {}), maps.pop("bigram", {})
        for family in ("kind_word", "prefecture", "city", "kind", "founded_year", "exist", "has", "ngram"):
            maps.setdefault(family, {})
        index = cls(table, unigrams, bigrams, maps, activities, suggestions, figures)
        gc.collect()
        gc.freeze()
        return index

    # --------------------------------------------------------------------------------------- queries

    @property
    def size(self) -> int:
        return int(self._numbers.size)

    def row_of(self, corporate_number: str) -> int | None:
        """The row of a corporate number, or None (binary search; never a scan)."""
        if len(corporate_number) != 13 or not corporate_number.isascii() or not corporate_number.isdigit():
            return None
        wanted = int(corporate_number)
        row = int(np.searchsorted(self._numbers, wanted))
        if row < self._numbers.size and int(self._numbers[row]) == wanted:
            return row
        return None

    def search(self, query: HojinQuery) -> SearchResult:
        sets: list[BitMap] = []
        confirm: str | None = None
        if query.corporate_number is not None:
            row = self.row_of(query.corporate_number)
            if row is None:
                return SearchResult(0, [])
            sets.append(BitMap([row]))
        if query.name:
            text, words = normalize_name(query.name), kind_words(query.name)
            sets.extend(self._families["kind_word"].get(word, _EMPTY) for word in words)
            if len(text) == 1:
                sets.append(self._unigrams.get(text, _EMPTY))
            elif text in self._ngrams:  # a frequent 3- or 4-character substring: exact
                sets.append(self._ngrams[text])
            elif len(text) >= 2:
                sets.extend(self._bigrams.get(gram, _EMPTY) for gram in name_bigrams(text))
                if len(text) > 2:
                    confirm = text
                    sets.extend(self._frequent_parts(text))
        if query.exist_flg is not None:
            sets.append(self._families["exist"].get("1" if query.exist_flg else "0", _EMPTY))
        if query.corporate_type:
            sets.append(self._union("kind", query.corporate_type))
        if query.prefecture is not None:
            sets.append(self._union("prefecture", (query.prefecture,)))
        if query.city is not None:
            sets.append(self._union("city", (query.city,)))
        if query.founded_year:
            sets.append(self._union("founded_year", query.founded_year))
        if query.source:
            has = self._families["has"]
            categories = (SOURCE_CATEGORIES.get(str(code), "") for code in query.source)
            sets.append(BitMap.union(_EMPTY, *(has.get(category, _EMPTY) for category in categories)))
        sets.extend(self._activity_filters(query))

        sets.extend(self._figure_filters(query))
        masks = self._masks(query)

        matched: BitMap | None = None
        if sets:
            sets.sort(key=len)
            matched = reduce(lambda acc, bm: acc & bm, sets[1:], sets[0]) if sets[0] else _EMPTY
        if not masks and confirm is None:
            return self._page(matched, query)

        rows = rows_of(matched) if matched is not None else None
        for select in masks:
            rows = select(rows)
        if rows is None:  # unreachable: a confirmation always comes with a bitmap
            rows = np.arange(self.size, dtype=np.uint32)
        if confirm is not None and rows.size:
            candidates = self._norm.take(pa.array(rows))
            hit = pc.match_substring(candidates, confirm).to_numpy(zero_copy_only=False)
            rows = rows[hit]
        offset = query.offset
        return SearchResult(int(rows.size), rows[offset : offset + query.limit].tolist())

    def slim(self, rows: Sequence[int]) -> list[dict[str, Any]]:
        """gBizINFO's slim search rows for the given row ids (in the order given)."""
        if not rows:
            return []
        positions = pa.array(rows, pa.int64())
        values = {name: self._columns[name].take(positions).to_pylist() for name in SLIM_FIELDS}
        counts = self._activity_count[np.asarray(rows, dtype=np.int64)].tolist()
        return [
            {**{name: values[name][i] for name in SLIM_FIELDS}, "number_of_activity": counts[i]}
            for i in range(len(rows))
        ]

    def corporate_numbers(self, rows: Sequence[int]) -> list[str]:
        return [f"{int(self._numbers[row]):013d}" for row in rows]

    def suggest_names(self, prefix: str, limit: int) -> list[str]:
        """Distinct names whose normalised form starts with the normalised ``prefix``, in that form's order."""
        wanted = normalize_name(prefix)
        if not wanted or limit <= 0:
            return []
        order, norm = self._suggest_order, self._norm
        start = bisect.bisect_left(_SortedView(norm, order), wanted)
        names = self._columns["name"]
        found: list[str] = []
        for position in range(start, min(start + limit * _SUGGEST_SCAN, order.size)):
            row = int(order[position])
            if not norm[row].as_py().startswith(wanted):
                break
            name = names[row].as_py()
            if name not in found:
                found.append(name)
                if len(found) >= limit:
                    break
        return found

    def suggest_subsidy_names(self, prefix: str, limit: int) -> list[str]:
        """Subsidy titles whose normalised form starts with the normalised ``prefix``, most frequent first."""
        return self._suggestions["subsidy"].suggest(prefix, limit)

    def suggest_business_names(self, prefix: str, limit: int) -> list[str]:
        """Business names (procurement titles, see :mod:`.suggest`) starting with ``prefix``, most frequent first."""
        return self._suggestions["business"].suggest(prefix, limit)

    # ------------------------------------------------------------------------------------- internals

    def _page(self, matched: BitMap | None, query: HojinQuery) -> SearchResult:
        start, stop = query.offset, query.offset + query.limit
        if matched is None:
            return SearchResult(self.size, list(range(min(start, self.size), min(stop, self.size))))
        total = len(matched)
        if start >= total or query.limit == 0:
            return SearchResult(total, [])
        return SearchResult(total, list(matched[start : min(stop, total)]))

    def _masks(self, query: HojinQuery) -> list[Callable[[np.ndarray | None], np.ndarray]]:
        """The range and band tests of ``query``, each narrowing the rows (all when ``None``) it is given."""
        masks: list[Callable[[np.ndarray | None], np.ndarray]] = []
        for values, lo, hi in (
            (self._capital, query.capital_stock_from, query.capital_stock_to),
            (self._employees, query.employee_number_from, query.employee_number_to),
        ):
            if lo is not None or hi is not None:
                masks.append(partial(_select, values, test=partial(_range_mask, lo=lo, hi=hi)))
        return masks

    def _figure_filters(self, query: HojinQuery) -> list[BitMap]:
        """The corporations passing each finance range and workplace band of ``query``."""
        filters: list[BitMap] = []
        for name in FINANCE_RANGES:
            lo, hi = getattr(query, f"{name}_from"), getattr(query, f"{name}_to")
            if lo is not None or hi is not None:
                test = partial(_range_mask, lo=lo, hi=hi)
                filters.append(
                    self._cached(("figure", "finance", name, lo, hi), partial(self._figure_rows, "finance", name, test))
                )
        for name, scale in WORKPLACE_BANDS.items():
            letter: str | None = getattr(query, name)
            if letter is not None:
                test = partial(scale.mask, letter=letter)
                filters.append(
                    self._cached(
                        ("figure", "workplace", name, letter), partial(self._figure_rows, "workplace", name, test)
                    )
                )
        return filters

    def _figure_rows(self, category: str, name: str, test: Callable[[np.ndarray], np.ndarray]) -> BitMap:
        figures = self._figures[category]
        values = figures.columns.get(name)
        if values is None:
            return _EMPTY
        return bitmap_of(figures.rows[test(values)])

    def _cached(self, key: tuple[Any, ...], compute: Callable[[], BitMap]) -> BitMap:
        """A filter's bitmap from the small LRU cache of filters evaluated over record rows."""
        cached = self._filter_cache.get(key)
        if cached is not None:
            self._filter_cache.move_to_end(key)
            return cached
        result = compute()
        self._filter_cache[key] = result
        if len(self._filter_cache) > _CACHE_SIZE:
            self._filter_cache.popitem(last=False)
        return result

    def _frequent_parts(self, text: str) -> list[BitMap]:
        """Bitmaps of the frequent 3- and 4-character substrings of a longer query (fewer candidates)."""
        parts = {text[i : i + size] for size in (3, 4) for i in range(len(text) - size + 1)}
        return [self._ngrams[part] for part in parts if part in self._ngrams]

    def _union(self, family: str, codes: Sequence[str | int]) -> BitMap:
        maps = self._families[family]
        found = [maps[key] for key in (str(code).strip().lstrip("0") or "0" for code in codes) if key in maps]
        if not found:
            return _EMPTY
        return found[0] if len(found) == 1 else BitMap.union(*found)

    def _activity_filters(self, query: HojinQuery) -> list[BitMap]:
        filters: list[BitMap] = []
        amounts = {
            "subsidy": (query.subsidy_amount_from, query.subsidy_amount_to),
            "procurement": (query.procurement_amount_from, query.procurement_amount_to),
        }
        for category in TITLE_FILTERS:
            title: str | None = getattr(query, category)
            lo, hi = amounts.get(category, (None, None))
            if title or lo is not None or hi is not None:
                filters.append(self._activity_rows(category, normalize_text(title or ""), lo, hi, ""))
        if query.ministry:
            ministry = normalize_text(query.ministry)
            parts = [self._activity_rows(category, "", None, None, ministry) for category in self._activities]
            filters.append(BitMap.union(_EMPTY, *parts))
        return filters

    def _activity_rows(self, category: str, title: str, lo: int | None, hi: int | None, ministry: str) -> BitMap:
        return self._cached(
            (category, title, lo, hi, ministry), partial(self._evaluate_activity, category, title, lo, hi, ministry)
        )

    def _evaluate_activity(self, category: str, title: str, lo: int | None, hi: int | None, ministry: str) -> BitMap:
        activity = self._activities.get(category)
        if activity is None:
            return _EMPTY
        mask = np.ones(activity.rows.size, dtype=bool)
        if title:
            mask &= pc.match_substring(activity.title, title).to_numpy(zero_copy_only=False)
        if ministry:
            mask &= pc.match_substring(activity.departments, ministry).to_numpy(zero_copy_only=False)
        if lo is not None or hi is not None:
            mask &= _range_mask(activity.amount, lo, hi)
        return bitmap_of(np.unique(activity.rows[mask]))


class _SortedView(Sequence[str]):
    """The normalised names in sorted order, read lazily for a binary search."""

    def __init__(self, norm: Any, order: np.ndarray) -> None:
        self._norm, self._order = norm, order

    def __len__(self) -> int:
        return int(self._order.size)

    def __getitem__(self, position: Any) -> Any:
        return self._norm[int(self._order[position])].as_py()


def _single(column: Any) -> Any:
    """One contiguous array (zero-copy when the column has one chunk, as a saved index does)."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _keyed(maps: dict[int, BitMap]) -> dict[str, BitMap]:
    return {str(key): bitmap for key, bitmap in maps.items()}


def _range_mask(values: np.ndarray, lo: int | None, hi: int | None) -> np.ndarray:
    mask: np.ndarray = np.asarray(values != NULL, dtype=bool)
    if lo is not None:
        mask &= values >= lo
    if hi is not None:
        mask &= values <= hi
    return mask


def _select(values: np.ndarray, rows: np.ndarray | None, test: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """The rows (all when ``None``) whose value passes ``test``, tested over those rows only."""
    if rows is None:
        return np.flatnonzero(test(values)).astype(np.uint32)
    selected: np.ndarray = rows[test(values[rows])]
    return selected


def _titles(records: Any) -> Any:
    if records is None or "title" not in records.column_names:
        return pa.array([], pa.string())
    return records.column("title").cast(pa.string())


def _latest_figures(category: str, records: Any, rows: np.ndarray) -> SparseFigures:
    """The figures of each corporation's newest finance (by ``period``) or workplace (by ``date_of_report``)
    record; a figure the newest record lacks is unknown even if an older record has it."""
    date_field = "period" if category == "finance" else "date_of_report"
    dates = records.column(date_field).cast(pa.string()) if date_field in records.column_names else None
    latest = latest_per_row(rows, dates if dates is not None else pa.nulls(rows.size, pa.string()))
    picked = records.take(pa.array(latest))
    columns: dict[str, np.ndarray] = {}
    for name in FINANCE_RANGES if category == "finance" else WORKPLACE_FIGURES:
        if name in picked.column_names:
            column = picked.column(name)
            columns[name] = (
                int_column(column, int(NULL), np.int64, signed=True) if category == "finance" else float_column(column)
            )
    return SparseFigures(rows=rows[latest].astype(np.int32), columns=columns)


def _write_ipc(path: Path, table: Any) -> None:
    partial = path.with_name(f".{path.name}.partial")
    with pa.OSFile(str(partial), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    partial.replace(path)


def _read_ipc(path: Path) -> Any:
    return ipc.open_file(pa.memory_map(str(path), "r")).read_all()
