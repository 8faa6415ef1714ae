"""The search engine answers exactly what a scan of every corporation answers, without scanning."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devstack.synthdata import generate_tables
from functions.hojin_search.normalize import normalize_name, normalize_text, split_name
from functions.hojin_search.search import CorporationIndex, HojinQuery
from functions.hojin_search.search.index import FORMAT_VERSION
from functions.hojin_search.search.query import SOURCE_CATEGORIES

COUNT = 10_000
ACTIVE = "現存"


class Reference:
    """The brute-force answer: every row tested one by one."""

    def __init__(self, tables: dict[str, Any]) -> None:
        self.rows = sorted(tables["corporations"].to_pylist(), key=lambda r: r["corporate_number"])
        self.position = {r["corporate_number"]: i for i, r in enumerate(self.rows)}
        self.split = [split_name(r["name"] or "") for r in self.rows]
        self.activities: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for category, table in tables.items():
            if category != "corporations":
                self.activities[category] = [
                    (
                        self.position[item["corporate_number"]],
                        {
                            **item,
                            "title": normalize_text(item.get("title") or ""),
                            "government_departments": normalize_text(item.get("government_departments") or ""),
                        },
                    )
                    for item in table.to_pylist()
                ]

    def _activity_rows(self, category: str, test: Callable[[dict[str, Any]], bool]) -> set[int]:
        return {row for row, item in self.activities.get(category, []) if test(item)}

    def search(self, q: HojinQuery) -> list[int]:
        keep = set(range(len(self.rows)))
        if q.corporate_number is not None:
            keep &= {self.position[q.corporate_number]} if q.corporate_number in self.position else set()
        if q.name:
            text, words = split_name(q.name)
            keep &= {i for i, (n, k) in enumerate(self.split) if text in n and set(words) <= set(k)}
        for category in ("subsidy", "procurement", "certification", "commendation", "patent"):
            title = getattr(q, category)
            lo = getattr(q, f"{category}_amount_from", None)
            hi = getattr(q, f"{category}_amount_to", None)
            if title or lo is not None or hi is not None:
                wanted = normalize_text(title or "")

                def test(item: dict[str, Any], wanted: str = wanted, lo: Any = lo, hi: Any = hi) -> bool:
                    amount = item.get("amount")
                    in_range = (lo is None and hi is None) or (
                        amount is not None and (lo is None or amount >= lo) and (hi is None or amount <= hi)
                    )
                    return wanted in item["title"] and in_range

                keep &= self._activity_rows(category, test)
        if q.ministry:
            wanted_ministry = normalize_text(q.ministry)
            found: set[int] = set()
            for category in self.activities:
                found |= self._activity_rows(category, lambda item: wanted_ministry in item["government_departments"])
            keep &= found
        if q.source:
            found = set()
            for code in q.source:
                found |= self._activity_rows(SOURCE_CATEGORIES[code], lambda item: True)
            keep &= found
        result = []
        for i in sorted(keep):
            r = self.rows[i]
            if q.exist_flg is not None and (r["status"] == ACTIVE) != q.exist_flg:
                continue
            if q.corporate_type and r["kind"] not in q.corporate_type:
                continue
            if q.prefecture is not None and r["prefecture_code"] != q.prefecture:
                continue
            if q.city is not None and r["city_code"] != q.city:
                continue
            if q.founded_year and r["founding_year"] not in q.founded_year:
                continue
            if not _within(r["capital_stock"], q.capital_stock_from, q.capital_stock_to):
                continue
            if not _within(r["employee_number"], q.employee_number_from, q.employee_number_to):
                continue
            result.append(i)
        return result


def _within(value: int | None, lo: int | None, hi: int | None) -> bool:
    if lo is None and hi is None:
        return True
    return value is not None and (lo is None or value >= lo) and (hi is None or value <= hi)


@pytest.fixture(scope="module")
def tables() -> dict[str, Any]:
    return generate_tables(COUNT, seed=7)


@pytest.fixture(scope="module")
def index(tables: dict[str, Any]) -> CorporationIndex:
    # a low threshold so that the frequent 3-/4-gram bitmaps are exercised at this size
    activities = {k: v for k, v in tables.items() if k != "corporations"}
    return CorporationIndex.build(tables["corporations"], activities, frequent_ngram_rows=30)


@pytest.fixture(scope="module")
def reference(tables: dict[str, Any]) -> Reference:
    return Reference(tables)


def check(index: CorporationIndex, reference: Reference, query: HojinQuery) -> None:
    expected = reference.search(query)
    got = index.search(query)
    assert got.total == len(expected)
    assert got.rows == expected[query.offset : query.offset + query.limit]


# ------------------------------------------------------------------------------------ property: equals a scan


@st.composite
def queries(draw: st.DrawFn, reference: Reference) -> HojinQuery:
    row = reference.rows[draw(st.integers(0, len(reference.rows) - 1))]
    fields: dict[str, Any] = {}
    if draw(st.booleans()):
        name = row["name"] or ""
        start = draw(st.integers(0, max(0, len(name) - 1)))
        length = draw(st.integers(1, 5))
        fields["name"] = draw(
            st.one_of(
                st.just(name[start : start + length]),
                st.sampled_from(["株式会社", "(株)", "工業", "ｺｳｷﾞｮｳ", "山", "合同会社 サービス", "ゼ", "ヤマト"]),
            )
        )
    if draw(st.booleans()):
        fields["prefecture"] = row["prefecture_code"]
    if draw(st.integers(0, 4)) == 0:
        fields["city"] = row["city_code"]
    if draw(st.booleans()):
        fields["exist_flg"] = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        fields["corporate_type"] = tuple(
            draw(st.lists(st.sampled_from(["301", "302", "305", "399", "201"]), min_size=1, max_size=2))
        )
    if draw(st.integers(0, 3)) == 0 and row["founding_year"] is not None:
        fields["founded_year"] = (row["founding_year"], row["founding_year"] + 1)
    if draw(st.booleans()):
        lo = draw(st.one_of(st.none(), st.sampled_from([0, 1_000_000, 10_000_000])))
        hi = draw(st.one_of(st.none(), st.sampled_from([20_000_000, 100_000_000])))
        fields.update(capital_stock_from=lo, capital_stock_to=hi)
    if draw(st.integers(0, 3)) == 0:
        fields.update(employee_number_from=draw(st.sampled_from([0, 10, 50])), employee_number_to=300)
    if draw(st.integers(0, 4)) == 0:
        fields["subsidy"] = draw(st.sampled_from(["IT導入", "ものづくり", "令和5年度", "存在しない補助金"]))
    if draw(st.integers(0, 4)) == 0:
        fields.update(subsidy_amount_from=1_000_000, subsidy_amount_to=draw(st.sampled_from([None, 10_000_000])))
    if draw(st.integers(0, 5)) == 0:
        fields["procurement"] = draw(st.sampled_from(["業務", "システム"]))
    if draw(st.integers(0, 5)) == 0:
        fields["ministry"] = draw(st.sampled_from(["経済産業省", "中小企業庁", "農林水産省"]))
    if draw(st.integers(0, 5)) == 0:
        fields["source"] = tuple(draw(st.lists(st.sampled_from(sorted(SOURCE_CATEGORIES)), min_size=1, max_size=2)))
    if draw(st.integers(0, 9)) == 0:
        fields["corporate_number"] = row["corporate_number"]
    fields["page"] = draw(st.integers(1, 3))
    fields["limit"] = draw(st.sampled_from([0, 1, 7, 100, 1000]))
    return HojinQuery(**fields)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_search_equals_a_scan_of_every_row(
    index: CorporationIndex, reference: Reference, data: st.DataObject
) -> None:
    # Given random names cut from real rows, kind words and random filters
    # When the index answers
    # Then the count and the page equal those of a brute-force scan, in corporate-number order
    check(index, reference, data.draw(queries(reference)))


# ---------------------------------------------------------------------------------------- named behaviours


def test_two_and_one_character_queries_are_exact(index: CorporationIndex, reference: Reference) -> None:
    for name in ("工業", "山", "ー", "a", "サービス", "ｻｰﾋﾞｽ"):
        check(index, reference, HojinQuery(name=name, limit=5000))


def test_a_query_of_only_a_kind_word_matches_the_names_of_that_kind(
    index: CorporationIndex, reference: Reference
) -> None:
    # Given the query 株式会社 (or ㈱) whose text part normalises to nothing
    for name in ("株式会社", "㈱", "(株)", "有限会社", "一般社団法人"):
        result = index.search(HojinQuery(name=name, limit=5))
        # Then it finds the names carrying that kind, not every corporation and not none
        assert 0 < result.total < index.size
        check(index, reference, HojinQuery(name=name, limit=5))
    assert (
        index.search(HojinQuery(name="株式会社", limit=0)).total == index.search(HojinQuery(name="㈱", limit=0)).total
    )


def test_kind_words_beside_text_narrow_to_that_kind(index: CorporationIndex, reference: Reference) -> None:
    # Given 工業 alone and 工業 with 有限会社
    broad = index.search(HojinQuery(name="工業", limit=0)).total
    narrow = index.search(HojinQuery(name="有限会社 工業", limit=0)).total
    # Then the kind narrows the match, and both equal a scan
    assert 0 < narrow < broad
    check(index, reference, HojinQuery(name="工業 有限会社", limit=100))


def test_paging_walks_the_whole_result_in_number_order(index: CorporationIndex, reference: Reference) -> None:
    # Given a frequent bigram
    expected = reference.search(HojinQuery(name="工業", limit=0))
    pages = [index.search(HojinQuery(name="工業", page=page, limit=7)).rows for page in range(1, 11)]
    # Then ten pages of seven are the first seventy rows, in order, without gaps
    assert [row for page in pages for row in page] == expected[:70]
    assert (
        index.search(HojinQuery(name="工業", page=10, limit=5000)).rows == expected[45000:50000]
    )  # beyond the result: empty


def test_limit_zero_answers_only_the_count(index: CorporationIndex) -> None:
    result = index.search(HojinQuery(name="建設", limit=0))
    assert result.rows == []
    assert result.total > 0


def test_the_count_of_a_long_query_is_exact_not_the_candidate_count(
    index: CorporationIndex, reference: Reference
) -> None:
    # Given a 3-character query whose bigrams both occur in names that do not hold it
    for name in ("工業所", "建設工", "ービス"):
        check(index, reference, HojinQuery(name=name, limit=3))


def test_an_empty_result_is_a_count_of_zero(index: CorporationIndex) -> None:
    result = index.search(HojinQuery(name="存在しない名前のかいしゃ"))
    assert (result.total, result.rows) == (0, [])


def test_no_filter_returns_every_row_in_order(index: CorporationIndex) -> None:
    result = index.search(HojinQuery(page=2, limit=10))
    assert result.total == index.size
    assert result.rows == list(range(10, 20))


def test_lookup_by_number_finds_every_row_and_rejects_unknown_and_malformed(
    index: CorporationIndex, reference: Reference
) -> None:
    for row in (0, 1, len(reference.rows) // 2, len(reference.rows) - 1):
        assert index.row_of(reference.rows[row]["corporate_number"]) == row
    assert index.row_of("9999999999999") is None
    assert index.row_of("0000000000000") is None
    for bad in ("", "123", "12345678901234", "１２３４５６７８９０１２３", "abcdefghijklm"):
        assert index.row_of(bad) is None
    assert index.search(HojinQuery(corporate_number="9999999999999")).total == 0


def test_slim_rows_carry_the_gbizinfo_search_fields(index: CorporationIndex, reference: Reference) -> None:
    rows = index.search(HojinQuery(name="工業", limit=3)).rows
    slim = index.slim(rows)
    assert [s["corporate_number"] for s in slim] == [reference.rows[r]["corporate_number"] for r in rows]
    assert set(slim[0]) == {
        "corporate_number",
        "name",
        "name_en",
        "location",
        "postal_code",
        "status",
        "update_date",
        "number_of_activity",
    }
    assert index.slim([]) == []


def test_number_of_activity_counts_every_record(index: CorporationIndex, reference: Reference) -> None:
    counts = Counter(row for records in reference.activities.values() for row, _ in records)
    busy, expected = counts.most_common(1)[0]
    assert index.slim([busy])[0]["number_of_activity"] == expected > 0
    idle = next(row for row in range(len(reference.rows)) if row not in counts)
    assert index.slim([idle])[0]["number_of_activity"] == 0


def test_suggest_names_start_with_the_prefix_in_any_spelling(index: CorporationIndex) -> None:
    suggestions = index.suggest_names("ﾔﾏ", 5)
    assert 0 < len(suggestions) <= 5
    assert all(normalize_name(s).startswith("やま") for s in suggestions)
    assert len(set(suggestions)) == len(suggestions)
    assert index.suggest_names("", 5) == []
    assert index.suggest_names("存在しない接頭辞", 5) == []


def test_save_and_load_give_the_same_answers(index: CorporationIndex, tmp_path: Path) -> None:
    # Given an index saved to a directory
    index.save(tmp_path / "index")
    loaded = CorporationIndex.load(tmp_path / "index")
    # Then the loaded copy answers every kind of query as the original
    for query in (
        HojinQuery(name="工業", limit=50),
        HojinQuery(name="株式会社", prefecture="13", capital_stock_from=1_000_000, limit=50),
        HojinQuery(name="工業所", exist_flg=True, limit=50),
        HojinQuery(subsidy="IT導入", source=("4",), limit=50),
        HojinQuery(founded_year=(1990, 2000), corporate_type=("302",), limit=50),
    ):
        assert loaded.search(query) == index.search(query)
    assert loaded.slim([0, 5]) == index.slim([0, 5])
    assert loaded.suggest_names("やま", 5) == index.suggest_names("やま", 5)
    assert loaded.row_of(index.corporate_numbers([3])[0]) == 3


def test_an_index_of_another_format_version_is_refused(index: CorporationIndex, tmp_path: Path) -> None:
    index.save(tmp_path)
    manifest = tmp_path / "manifest.json"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace(f'"version": {FORMAT_VERSION}', '"version": 99'), "utf-8")
    with pytest.raises(ValueError, match="format"):
        CorporationIndex.load(tmp_path)


def test_an_unsorted_table_is_sorted_by_number_at_build(tables: dict[str, Any]) -> None:
    corporations = tables["corporations"].slice(0, 2000)
    shuffled = corporations.take(list(reversed(range(corporations.num_rows))))
    index = CorporationIndex.build(shuffled, {})
    numbers = index.corporate_numbers(range(index.size))
    assert numbers == sorted(numbers)
    assert index.search(HojinQuery(source=("4",))).total == 0


def test_frequent_ngram_bitmaps_change_no_answer(tables: dict[str, Any], index: CorporationIndex) -> None:
    # Given an index without frequent n-gram bitmaps and one with many
    plain = CorporationIndex.build(tables["corporations"], {}, frequent_ngram_rows=10**9)
    assert plain._ngrams == {}
    assert len(index._ngrams) > 50
    # When frequent 3- and 4-character substrings, and longer queries containing them, are searched
    frequent = sorted(index._ngrams, key=lambda gram: -len(index._ngrams[gram]))[:20]
    for name in [*frequent, *(gram + "あ" for gram in frequent[:5]), *("工" + gram for gram in frequent[:5])]:
        # Then both indexes give the same count and rows
        assert index.search(HojinQuery(name=name, limit=50)) == plain.search(HojinQuery(name=name, limit=50))
