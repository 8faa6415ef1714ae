"""Vectorised generation of corporations and their activity records as Arrow tables.

The work is split in two:

1. A plan for all rows at once: kind, prefecture and a unique corporate number per row (check digit computed
   with numpy), sorted by corporate number. Only a few small integer arrays, so 5 million rows fit easily.
2. Chunks of ``CHUNK_ROWS`` rows in that order: every other column is drawn with a generator seeded by
   ``(seed, chunk index)`` and assembled with Arrow compute kernels (take from word lists, element-wise joins),
   with no Python loop over rows. Activities of a chunk's corporations are drawn from the same generator.

A fixed seed and size therefore give the same rows, and the same Parquet bytes, every time.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from devstack.synthdata import catalog, words
from devstack.synthdata.geography import CITIES, PREFECTURES, city_sampling_table, prefecture_weights
from functions.hojin_search.ingest.corporations import CORPORATION_SCHEMA

MIN_CORPORATIONS = 1_000
MAX_CORPORATIONS = 5_000_000
CHUNK_ROWS = 250_000
SNAPSHOT = np.datetime64("2025-03-31", "D")  # the data's "today"
NUMBERING_START = np.datetime64("2015-10-05", "D")  # corporate numbers were first assigned then
ACTIVITY_START = np.datetime64("2016-04-01", "D")
ACTIVE, CLOSED = "現存", "閉鎖"

CATEGORIES = ("subsidy", "procurement", "certification", "commendation")

# --------------------------------------------------------------------------------------- column schemas

# The corporations Parquet's columns are the ingest's (one schema for generated and handed-in data).
ACTIVITY_SCHEMAS = {
    "subsidy": pa.schema(
        [
            ("corporate_number", pa.string()),
            ("title", pa.string()),
            ("amount", pa.int64()),
            ("date_of_approval", pa.string()),
            ("government_departments", pa.string()),
            ("target", pa.string()),
        ]
    ),
    "procurement": pa.schema(
        [
            ("corporate_number", pa.string()),
            ("title", pa.string()),
            ("amount", pa.int64()),
            ("date_of_order", pa.string()),
            ("government_departments", pa.string()),
        ]
    ),
    "certification": pa.schema(
        [
            ("corporate_number", pa.string()),
            ("title", pa.string()),
            ("category", pa.string()),
            ("date_of_approval", pa.string()),
            ("enterprise_scale", pa.string()),
            ("expiration_date", pa.string()),
            ("government_departments", pa.string()),
        ]
    ),
    "commendation": pa.schema(
        [
            ("corporate_number", pa.string()),
            ("title", pa.string()),
            ("category", pa.string()),
            ("date_of_commendation", pa.string()),
            ("government_departments", pa.string()),
        ]
    ),
}


# ------------------------------------------------------------------------------------- check digits


def check_digits(bases: np.ndarray) -> np.ndarray:
    """Check digits of 12-digit base numbers (int64 array): 9 - (Σ Pn·Qn mod 9), n counted from the right,
    Qn = 1 for odd n and 2 for even n."""
    bases = np.asarray(bases, dtype=np.int64)
    total = np.zeros(bases.shape, dtype=np.int64)
    rest = bases.copy()
    for n in range(1, 13):
        total += (rest % 10) * (1 if n % 2 else 2)
        rest //= 10
    return 9 - total % 9


def digits_text(values: np.ndarray, width: int) -> pa.Array:
    """Zero-padded decimal strings of non-negative integers, built without a Python loop."""
    values = np.asarray(values, dtype=np.int64)
    out = np.empty((values.size, width), dtype=np.uint8)
    rest = values.copy()
    for col in range(width - 1, -1, -1):
        out[:, col] = 48 + rest % 10
        rest //= 10
    buffer = pa.py_buffer(out.tobytes())
    offsets = pa.py_buffer((np.arange(values.size + 1, dtype=np.int32) * width).tobytes())
    return pa.Array.from_buffers(pa.string(), values.size, [None, offsets, buffer])


# ----------------------------------------------------------------------------------------- lookup pools


def _pool(values: list[str]) -> pa.Array:
    return pa.array(values, type=pa.string())


@dataclass(frozen=True)
class _Stems:
    written: pa.Array
    kana: pa.Array
    en: pa.Array
    spaced_en: pa.Array  # " " + en, for second stems
    offsets: np.ndarray  # start of each pool
    sizes: np.ndarray
    zipf: np.ndarray  # cumulative Zipf-like weights of the surname pool


def _stems() -> _Stems:
    surname = list(dict.fromkeys(words.SURNAMES))
    pools: list[list[tuple[str, str, str]]] = [
        [(w, k, words.english(k)) for w, k in surname],
        [(w, k, words.english(k)) for w, k in words.PLACE_STEMS],
        [(w, k, words.english(k)) for w, k in words.CONCEPT_STEMS],
        [(k, k, en) for k, en in words.KATAKANA_STEMS],
        list(words.INITIALISM_STEMS),
        [(w, k, words.english(k)) for w, k in catalog.city_stems()],
    ]
    rows = [row for pool in pools for row in pool]
    sizes = np.array([len(p) for p in pools], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    zipf = np.cumsum(1.0 / np.arange(1, sizes[0] + 1) ** 0.8)
    return _Stems(
        _pool([r[0] for r in rows]),
        _pool([r[1] for r in rows]),
        _pool([r[2] for r in rows]),
        _pool([" " + r[2] for r in rows]),
        offsets,
        sizes,
        zipf / zipf[-1],
    )


@dataclass(frozen=True)
class _Endings:
    """Business words and endings in one pool; index 0 is the empty word."""

    written: pa.Array
    kana: pa.Array
    en: pa.Array  # with a leading space
    division: np.ndarray
    business: np.ndarray  # indices of business words (companies)
    foreign_business: np.ndarray  # indices of "・カタカナ" business words (foreign companies)
    groups: dict[str, np.ndarray]  # ending key → indices


def _endings() -> _Endings:
    rows: list[tuple[str, str, str, int]] = [("", "", "", -1)]

    def add(items: list[tuple[str, str, str, int]]) -> np.ndarray:
        start = len(rows)
        rows.extend(items)
        return np.arange(start, len(rows), dtype=np.int64)

    business = add([(w.written, w.kana, " " + w.en, w.division) for w in words.BUSINESS_WORDS])
    foreign_business = add([("・" + w.written, w.kana, " " + w.en, w.division) for w in words.KATAKANA_BUSINESS_WORDS])
    groups = {
        key: add([(w.written, w.kana, " " + w.en, w.division) for w in items]) for key, items in words.ENDINGS.items()
    }
    groups["foreign"] = add([(w, k, " " + en, -1) for w, k, en in words.FOREIGN_FORMS])
    return _Endings(
        _pool([r[0] for r in rows]),
        _pool([r[1] for r in rows]),
        _pool([r[2] for r in rows]),
        np.array([r[3] for r in rows], dtype=np.int64),
        business,
        foreign_business,
        groups,
    )


# Probability that a non-company name has a business word before its ending (一般社団法人関東建設協会).
_MID_BUSINESS = {"association": 0.5, "foundation": 0.2, "cooperative": 0.3, "npo": 0.1, "other": 0.3}


class _Tables:
    """Everything the chunks look up, built once per process."""

    def __init__(self) -> None:
        self.stems = _stems()
        self.endings = _endings()
        subkinds = catalog.SUBKINDS
        self.subkinds = subkinds
        self.n_sub = len(subkinds)
        # bodies come after the subkinds in the "kind index" space
        self.national = self.n_sub
        self.local = self.n_sub + 1
        self.kind_code = _pool([s.code for s in subkinds] + ["101", "201"])
        kind_words = [s.word for s in subkinds]
        self.kind_word = _pool(["", *kind_words])  # index 0 = none
        self.kind_en = _pool([s.en for s in subkinds] + ["", ""])
        self.prefix_p = np.array([s.prefix for s in subkinds] + [0.0, 0.0])
        stem_p = np.array([s.stems for s in subkinds], dtype=np.float64)
        self.stem_cum = np.cumsum(stem_p / stem_p.sum(axis=1, keepdims=True), axis=1)
        self.is_company = np.array([s.ending == "business" for s in subkinds] + [False, False])
        self.is_foreign = np.array([s.ending == "foreign" for s in subkinds] + [False, False])
        # ending group per subkind: start and size in the ending pool (companies: none)
        start = np.zeros(self.n_sub + 2, dtype=np.int64)
        size = np.zeros(self.n_sub + 2, dtype=np.int64)
        for i, s in enumerate(subkinds):
            if s.ending in self.endings.groups:
                group = self.endings.groups[s.ending]
                start[i], size[i] = group[0], group.size
        self.ending_start, self.ending_size = start, size
        self.mid_business_p = np.array([_MID_BUSINESS.get(s.ending, 0.0) for s in subkinds] + [0.0, 0.0])
        # bodies
        bodies = catalog.NATIONAL_BODIES + catalog.LOCAL_BODIES
        self.bodies = bodies
        self.body_name = _pool([b.name for b in bodies])
        self.body_kana = _pool([b.kana for b in bodies])
        self.body_en = pa.array([b.en if b.code == "101" else None for b in bodies], type=pa.string())
        self.body_city = np.array([b.city for b in bodies], dtype=np.int64)
        # places
        self.pref_code = _pool([p.code for p in PREFECTURES])
        self.pref_name = _pool([p.name for p in PREFECTURES])
        self.city_code = _pool([c.code for c in CITIES])
        self.city_name = _pool([c.name for c in CITIES])
        self.city_pref = np.array([c.prefecture for c in CITIES], dtype=np.int64)
        self.city_postal = np.array([c.postal_area for c in CITIES], dtype=np.int64)
        self.city_cum, self.pref_start, self.pref_end = city_sampling_table()
        self.towns = _pool(words.TOWNS)
        self.buildings = _pool(words.BUILDING_WORDS)
        self.numbers = _pool([words.full_width(str(i)) for i in range(3000)])
        # people
        self.surnames = _pool([w for w, _ in dict.fromkeys(words.SURNAMES)])
        self.given = _pool(words.GIVEN_NAMES)
        self.industries = _pool(list(words.INDUSTRY_DIVISIONS))
        self.fy_label = _pool([catalog.fiscal_year_label(y) + " " for y in catalog.FISCAL_YEARS])


@functools.cache
def tables() -> _Tables:
    """The lookup tables, built once per process."""
    return _Tables()


# ----------------------------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Plan:
    """Kind, prefecture and corporate number of every row, sorted by corporate number."""

    count: int
    seed: int
    number: np.ndarray  # int64, the 13-digit corporate number
    kind: np.ndarray  # int16 index: subkind, or Tables.national / Tables.local for bodies
    prefecture: np.ndarray  # int16 index into PREFECTURES
    body: np.ndarray  # int32 index into Tables.bodies, -1 for corporations that are not bodies

    @property
    def chunks(self) -> int:
        return -(-self.count // CHUNK_ROWS)


def validate_count(count: int) -> int:
    if not MIN_CORPORATIONS <= count <= MAX_CORPORATIONS:
        raise ValueError(
            f"the number of corporations must be between {MIN_CORPORATIONS:,} and {MAX_CORPORATIONS:,}, got {count:,}"
        )
    return count


def _registry_bases(rng: np.random.Generator, kind: np.ndarray, pref: np.ndarray, t: _Tables) -> np.ndarray:
    """12-digit bases: 4-digit registry office (by prefecture), 2-digit kind, 6-digit serial; or 700150 + serial
    for corporations the NTA numbers itself. Serials are redrawn until every base is unique."""
    n = kind.size
    registry = np.array([s.registry for s in t.subkinds], dtype=np.int64)[kind]
    bureau_choice = rng.random(n)
    office_choice = rng.random(n)
    bureaus = [np.array([int(b) for b in p.bureaus], dtype=np.int64) for p in PREFECTURES]
    n_bureaus = np.array([b.size for b in bureaus], dtype=np.int64)
    bureau_table = np.zeros((len(PREFECTURES), int(n_bureaus.max())), dtype=np.int64)
    for i, b in enumerate(bureaus):
        bureau_table[i, : b.size] = b
    offices = np.array([p.offices for p in PREFECTURES], dtype=np.int64)
    bureau = bureau_table[pref, (bureau_choice * n_bureaus[pref]).astype(np.int64)]
    office = bureau * 100 + (office_choice**1.5 * offices[pref]).astype(np.int64)  # main offices register more
    prefix = np.where(registry < 0, 700150, office * 100 + np.maximum(registry, 0))
    bases = prefix * 1_000_000 + rng.integers(1, 1_000_000, n)
    while True:
        order = np.argsort(bases, kind="stable")
        dup = np.zeros(n, dtype=bool)
        dup[order[1:]] = bases[order[1:]] == bases[order[:-1]]
        if not dup.any():
            return bases
        bases[dup] = prefix[dup] * 1_000_000 + rng.integers(1, 1_000_000, int(dup.sum()))


def make_plan(count: int, seed: int) -> Plan:
    validate_count(count)
    t = tables()
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0])))
    n_national = min(len(catalog.NATIONAL_BODIES), round(count * catalog.SHARE_NATIONAL))
    n_local = min(len(catalog.LOCAL_BODIES), round(count * catalog.SHARE_LOCAL))
    n_rest = count - n_national - n_local
    shares = np.array([s.share for s in t.subkinds])
    kind = rng.choice(t.n_sub, size=n_rest, p=shares / shares.sum()).astype(np.int16)
    pref = rng.choice(len(PREFECTURES), size=n_rest, p=prefecture_weights()).astype(np.int16)
    bases = _registry_bases(rng, kind, pref, t)
    national = np.sort(rng.choice(len(catalog.NATIONAL_BODIES), size=n_national, replace=False))
    local = np.sort(rng.choice(len(catalog.LOCAL_BODIES), size=n_local, replace=False))
    body = np.concatenate([np.full(n_rest, -1), national, local + len(catalog.NATIONAL_BODIES)]).astype(np.int32)
    body_bases = np.array([t.bodies[b].base for b in body[n_rest:]], dtype=np.int64)
    body_pref = t.city_pref[t.body_city[body[n_rest:]]].astype(np.int16)
    kind = np.concatenate([kind, np.full(n_national, t.national, np.int16), np.full(n_local, t.local, np.int16)])
    pref = np.concatenate([pref, body_pref])
    bases = np.concatenate([bases, body_bases])
    numbers = check_digits(bases) * 1_000_000_000_000 + bases
    order = np.argsort(numbers, kind="stable")
    return Plan(count, seed, numbers[order], kind[order], pref[order], body[order])


# ---------------------------------------------------------------------------------------------- helpers


def _take(pool: pa.Array, idx: np.ndarray) -> pa.Array:
    return pool.take(pa.array(idx, type=pa.int32()))


def _join(*parts: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _where(mask: np.ndarray, a: pa.Array, b: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(mask, type=pa.bool_()), a, b)


def _dates(days: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """ISO date strings from day numbers since 1970-01-01."""
    arr = pa.array(days.astype("datetime64[D]"), type=pa.date32(), mask=null)
    return arr.cast(pa.string())


_INT64 = pa.int64()


def _ints(values: np.ndarray, null: np.ndarray, dtype: pa.DataType = _INT64) -> pa.Array:
    return pa.array(values, type=dtype, mask=null)


def _weighted(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    cum = np.cumsum(weights / np.sum(weights))
    return np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(weights) - 1)


def _between(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    hi = np.maximum(hi, lo)
    picked: np.ndarray = lo + (rng.random(lo.size) * (hi - lo + 1)).astype(np.int64)
    return picked


_DAY = np.datetime64("1970-01-01", "D")
_SNAP = int((SNAPSHOT - _DAY).astype(np.int64))
_NUMBERING = int((NUMBERING_START - _DAY).astype(np.int64))
_ACTIVITY = int((ACTIVITY_START - _DAY).astype(np.int64))
_LLC_START = int((np.datetime64("2006-05-01", "D") - _DAY).astype(np.int64))  # 会社法: 合同会社 from, 有限会社 until
_GMBH_START = int((np.datetime64("1940-01-01", "D") - _DAY).astype(np.int64))  # 有限会社法
_MEIJI = int((np.datetime64("1889-04-01", "D") - _DAY).astype(np.int64))  # 市制町村制
_PUBLIC_NEWEST = int((np.datetime64("2010-03-31", "D") - _DAY).astype(np.int64))
_EARLIEST = int((np.datetime64("1880-01-01", "D") - _DAY).astype(np.int64))


# ------------------------------------------------------------------------------------------------ chunks


@dataclass
class Chunk:
    """One chunk of corporations and the activity records of those corporations."""

    corporations: pa.Table
    activities: dict[str, pa.Table]


def _chunk_rng(seed: int, index: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 1, index])))


def generate_chunk(plan: Plan, index: int) -> Chunk:
    t = tables()
    rng = _chunk_rng(plan.seed, index)
    lo, hi = index * CHUNK_ROWS, min(plan.count, (index + 1) * CHUNK_ROWS)
    n = hi - lo
    kind = plan.kind[lo:hi].astype(np.int64)
    pref = plan.prefecture[lo:hi].astype(np.int64)
    body = plan.body[lo:hi].astype(np.int64)
    is_body = body >= 0
    body_i = np.maximum(body, 0)
    sub = np.minimum(kind, t.n_sub - 1)  # a valid subkind index for rows that are bodies (values unused)
    numbers = digits_text(plan.number[lo:hi], 13)

    # -- names ------------------------------------------------------------------------------------------
    st = t.stems
    pool = (rng.random(n)[:, None] > t.stem_cum[sub]).sum(axis=1)
    pool = np.minimum(pool, len(st.sizes) - 1)
    u = rng.random(n)
    within = np.where(
        pool == 0,
        np.searchsorted(st.zipf, u),
        (u * st.sizes[pool]).astype(np.int64),
    )
    stem1 = st.offsets[pool] + np.minimum(within, st.sizes[pool] - 1)
    concept = 2
    two_stems = t.is_company[kind] & (pool != 4) & (rng.random(n) < 0.12)
    stem2 = st.offsets[concept] + (rng.random(n) * st.sizes[concept]).astype(np.int64)
    ends = t.endings
    business = ends.business[(rng.random(n) * ends.business.size).astype(np.int64)]
    business = np.where(rng.random(n) < 0.04, 0, business)  # "株式会社サクラ": no business word
    foreign_business = ends.foreign_business[(rng.random(n) * ends.foreign_business.size).astype(np.int64)]
    mid = np.where(t.is_company[kind], business, np.where(t.is_foreign[kind], foreign_business, 0))
    mid = np.where(rng.random(n) < t.mid_business_p[kind], business, mid)
    ending = t.ending_start[kind] + (rng.random(n) * t.ending_size[kind]).astype(np.int64)
    ending = np.where(t.ending_size[kind] > 0, ending, 0)
    prefix = rng.random(n) < t.prefix_p[kind]
    kind_word = np.where(is_body, 0, sub + 1)
    empty = pa.scalar("")
    kind_word_arr = _take(t.kind_word, kind_word)

    stem1_w, stem1_k = _take(st.written, stem1), _take(st.kana, stem1)
    stem2_i = np.where(two_stems, stem2, -1)
    stem2_w = _where(two_stems, _take(st.written, np.maximum(stem2_i, 0)), empty)
    stem2_k = _where(two_stems, _take(st.kana, np.maximum(stem2_i, 0)), empty)
    stem2_e = _where(two_stems, _take(st.spaced_en, np.maximum(stem2_i, 0)), empty)
    company_name = _join(
        _where(prefix, kind_word_arr, empty),
        stem1_w,
        stem2_w,
        _take(ends.written, mid),
        _take(ends.written, ending),
        _where(prefix, empty, kind_word_arr),
    )
    company_kana = _join(stem1_k, stem2_k, _take(ends.kana, mid), _take(ends.kana, ending))
    company_en = _join(
        _take(st.en, stem1), stem2_e, _take(ends.en, mid), _take(ends.en, ending), _take(t.kind_en, kind)
    )
    name = _where(is_body, _take(t.body_name, body_i), company_name)
    kana = _where(is_body, _take(t.body_kana, body_i), company_kana)
    name_en = _where(is_body, _take(t.body_en, body_i), company_en)

    # -- address ----------------------------------------------------------------------------------------
    x = t.pref_start[pref] + rng.random(n) * (t.pref_end[pref] - t.pref_start[pref])
    city = np.minimum(np.searchsorted(t.city_cum, x, side="right"), len(CITIES) - 1)
    city = np.where(is_body, t.body_city[body_i], city)
    town = (rng.random(n) * len(words.TOWNS)).astype(np.int64)
    chome = 1 + np.minimum((rng.exponential(1.8, n)).astype(np.int64), 8)
    ban = 1 + (rng.random(n) ** 1.6 * 40).astype(np.int64)
    go = 1 + (rng.random(n) ** 1.4 * 30).astype(np.int64)
    banchi = 1 + (rng.random(n) ** 2 * 2999).astype(np.int64)
    banchi = np.minimum(banchi, 2999)
    numbered = rng.random(n) < 0.75
    n_ = t.numbers
    street_chome = _join(
        _take(n_, chome), pa.scalar("丁目"),
        _take(n_, ban), pa.scalar("番"),
        _take(n_, go), pa.scalar("号"),
    )  # fmt: skip
    street_banchi = _join(_take(n_, banchi), pa.scalar("番地"))
    has_building = rng.random(n) < 0.18
    building_stem = st.offsets[0] + (rng.random(n) * st.sizes[0]).astype(np.int64)
    floor = 1 + (rng.random(n) ** 2 * 20).astype(np.int64)
    building = _join(
        pa.scalar("　"),
        _take(st.written, building_stem),
        _take(t.buildings, (rng.random(n) * len(words.BUILDING_WORDS)).astype(np.int64)),
        _take(n_, floor),
        pa.scalar("階"),
    )
    street = _join(
        _take(t.towns, town),
        _where(numbered, street_chome, street_banchi),
        _where(has_building & ~is_body, building, empty),
    )
    postal = digits_text(t.city_postal[city] * 10_000 + rng.integers(0, 10_000, n), 7)
    pref_of_city = t.city_pref[city]
    pref_name = _take(t.pref_name, pref_of_city)
    city_name = _take(t.city_name, city)
    location = _join(pref_name, city_name, street)

    # -- people and figures -----------------------------------------------------------------------------
    surname = np.searchsorted(st.zipf, rng.random(n))
    surname = np.minimum(surname, len(t.surnames) - 1)
    given = (rng.random(n) ** 1.3 * len(words.GIVEN_NAMES)).astype(np.int64)
    representative = _join(_take(t.surnames, surname), pa.scalar("　"), _take(t.given, given))
    code = np.array([int(s.code) for s in t.subkinds] + [101, 201], dtype=np.int64)[kind]

    capital, capital_null = _capital(rng, code, n)
    log_cap = np.log10(np.maximum(capital, 1e5) / 1e6)
    mu = np.where(code == 399, 2.0, np.where(code >= 401, 0.8, 1.0 + 0.9 * np.maximum(log_cap, 0)))
    mu = np.where(is_body, 6.5, mu)
    employees = np.minimum(np.exp(rng.normal(mu, 1.1)), 400_000).astype(np.int64)
    employee_null = rng.random(n) < np.where(is_body, 0.1, 0.35)

    est = _establishment(rng, code, n)
    est_year = est.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    back = np.where(rng.random(n) < 0.7, 0, rng.geometric(0.12, n))
    founding = np.maximum(est_year - back, 1850)
    founding_null = rng.random(n) < 0.3

    closed = rng.random(n) < np.where(code == 302, 0.12, np.where(is_body, 0.0, 0.06))
    close_day = _between(rng, np.maximum(est, _NUMBERING), np.full(n, _SNAP))
    cause = np.array(["01", "11", "21", "31"])[_weighted(rng, np.array([0.55, 0.15, 0.25, 0.05]), n)]
    update = np.where(closed, close_day, _between(rng, np.maximum(est, _NUMBERING), np.full(n, _SNAP)))

    # -- industries -------------------------------------------------------------------------------------
    primary = ends.division[mid]
    primary = np.where(primary < 0, ends.division[ending], primary)
    primary = np.where(primary < 0, len(words.INDUSTRY_DIVISIONS) - 2, primary)  # サービス業（他に…）
    primary = np.where(is_body, words.DIV_PUBLIC, primary)
    second = (rng.random(n) * (len(words.INDUSTRY_DIVISIONS) - 1)).astype(np.int64)
    has_second = (rng.random(n) < 0.15) & (second != primary) & ~is_body
    lengths = 1 + has_second.astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    values = np.empty(int(offsets[-1]), dtype=np.int64)
    values[offsets[:-1]] = primary
    values[offsets[:-1][has_second] + 1] = second[has_second]
    industry = pa.ListArray.from_arrays(pa.array(offsets), _take(t.industries, values))

    corporations = pa.Table.from_arrays(
        [
            numbers,
            name,
            kana,
            name_en,
            _take(t.kind_code, kind),
            _take(t.pref_code, pref_of_city),
            pref_name,
            _take(t.city_code, city),
            city_name,
            street,
            postal,
            location,
            representative,
            _ints(capital, capital_null),
            _ints(employees, employee_null),
            _ints(founding, founding_null, pa.int32()),
            _dates(est),
            _where(closed, pa.scalar(CLOSED), pa.scalar(ACTIVE)),
            _dates(close_day, ~closed),
            pa.array(cause, type=pa.string(), mask=~closed),
            _dates(update),
            industry,
            pa.nulls(n, pa.string()),  # business_summary: the generator has no words for it
        ],
        schema=CORPORATION_SCHEMA,
    )
    context = _Context(
        numbers=numbers,
        code=code,
        est=est,
        end=np.where(closed, close_day, _SNAP),
        closed=closed,
        large=(capital > 300_000_000) & ~capital_null & (employees > 300),
        pref_name=pref_name,
        city_name=city_name,
    )
    activities = {category: _ACTIVITY_MAKERS[category](rng, context) for category in CATEGORIES}
    return Chunk(corporations, activities)


def _capital(rng: np.random.Generator, code: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    menus = {
        301: ([1e6, 3e6, 5e6, 1e7, 2e7, 3e7, 5e7, 1e8, 3e8, 1e9, 1e10], [14, 8, 10, 30, 7, 7, 7, 4, 1, 0.5, 0.1]),
        302: ([3e6, 5e6, 1e7, 2e7, 3e7], [62, 15, 15, 5, 3]),
        303: ([5e5, 1e6, 2e6, 3e6], [30, 40, 20, 10]),
        304: ([5e5, 1e6, 2e6, 3e6, 5e6], [25, 35, 20, 12, 8]),
        305: ([1, 1e4, 1e5, 5e5, 1e6, 3e6, 5e6, 1e7], [4, 6, 12, 14, 30, 14, 10, 10]),
    }  # fmt: skip
    capital = np.zeros(n, dtype=np.int64)
    null = np.ones(n, dtype=bool)
    for kind_code, (values, weights) in menus.items():
        rows = np.flatnonzero(code == kind_code)
        if rows.size == 0:
            continue
        picked = np.array(values, dtype=np.int64)[_weighted(rng, np.array(weights, float), rows.size)]
        # some capital is an odd amount (after increases): a lognormal around the menu value
        odd = rng.random(rows.size) < 0.12
        drift = (picked * np.exp(rng.normal(0.3, 0.6, rows.size)) // 100_000 * 100_000).astype(np.int64)
        capital[rows] = np.where(odd & (picked >= 1_000_000), drift, picked)
        null[rows] = rng.random(rows.size) < 0.08
    return capital, null


def _establishment(rng: np.random.Generator, code: np.ndarray, n: int) -> np.ndarray:
    """Day numbers: most corporations are young; 有限会社 predate 2006-05-01 and 合同会社 follow it."""
    scale = np.select(
        [code == 302, code == 305, (code == 303) | (code == 304), code == 399, code >= 401, code <= 201],
        [15.0, 5.0, 45.0, 25.0, 15.0, 60.0],
        22.0,
    )
    newest = np.select([code == 302, code <= 201], [_LLC_START - 1, _PUBLIC_NEWEST], _SNAP)
    oldest = np.select([code == 305, code == 302, code <= 201], [_LLC_START, _GMBH_START, _MEIJI], _EARLIEST)
    days: np.ndarray = newest - (rng.exponential(1.0, n) * scale * 365.25).astype(np.int64)
    clipped: np.ndarray = np.clip(days, oldest, newest)
    return clipped


# -------------------------------------------------------------------------------------------- activities


@dataclass
class _Context:
    numbers: pa.Array
    code: np.ndarray
    est: np.ndarray
    end: np.ndarray
    closed: np.ndarray
    large: np.ndarray
    pref_name: pa.Array
    city_name: pa.Array


_KIND_ORDER = (301, 302, 303, 304, 305, 399, 401, 499, 101, 201)
_RATES = {
    "subsidy": (0.10, 0.05, 0.02, 0.03, 0.06, 0.05, 0.01, 0.005, 0.0, 0.0),
    "procurement": (0.03, 0.015, 0.005, 0.008, 0.012, 0.02, 0.01, 0.002, 0.0, 0.0),
    "certification": (0.09, 0.04, 0.01, 0.02, 0.04, 0.03, 0.01, 0.0, 0.0, 0.0),
    "commendation": (0.012, 0.005, 0.002, 0.003, 0.004, 0.01, 0.002, 0.001, 0.0, 0.0),
}
_REPEAT = {"subsidy": 0.6, "procurement": 0.35, "certification": 0.55, "commendation": 0.75}


def _rows(rng: np.random.Generator, ctx: _Context, category: str) -> tuple[np.ndarray, np.ndarray]:
    """Which corporations have records of a category, one entry per record, and the record dates (sorted
    by corporation, then date)."""
    lookup = np.zeros(1000, dtype=np.float64)
    lookup[list(_KIND_ORDER)] = _RATES[category]
    rate = lookup[ctx.code] * np.where(ctx.closed, 0.3, 1.0)
    has = rng.random(ctx.code.size) < rate
    counts = np.where(has, np.minimum(rng.geometric(_REPEAT[category], ctx.code.size), 50), 0)
    owner = np.repeat(np.arange(ctx.code.size), counts)
    start = np.maximum(ctx.est[owner], _ACTIVITY)
    day = _between(rng, start, ctx.end[owner])
    order = np.lexsort((day, owner))
    return owner[order], day[order]


def _fiscal_index(day: np.ndarray) -> np.ndarray:
    dt = day.astype("datetime64[D]")
    year = dt.astype("datetime64[Y]").astype(np.int64) + 1970
    month = (dt.astype("datetime64[M]").astype(np.int64) % 12) + 1
    fiscal = year - (month < 4)
    return np.clip(fiscal - catalog.FISCAL_YEARS[0], 0, len(catalog.FISCAL_YEARS) - 1)


def _subsidy(rng: np.random.Generator, ctx: _Context) -> pa.Table:
    owner, day = _rows(rng, ctx, "subsidy")
    programs = catalog.SUBSIDIES
    p = _weighted(rng, np.array([x.weight for x in programs]), owner.size)
    low = np.log(np.array([x.low for x in programs], dtype=np.float64))[p]
    high = np.log(np.array([x.high for x in programs], dtype=np.float64))[p]
    amount = (np.exp(low + rng.random(owner.size) ** 1.8 * (high - low)) // 1000 * 1000).astype(np.int64)
    title = _join(_take(tables().fy_label, _fiscal_index(day)), _take(_pool([x.title for x in programs]), p))
    return pa.Table.from_arrays(
        [
            _take_arr(ctx.numbers, owner),
            title,
            pa.array(amount, type=pa.int64()),
            _dates(day),
            _take(_pool([x.department for x in programs]), p),
            _take(_pool([x.target for x in programs]), p),
        ],
        schema=ACTIVITY_SCHEMAS["subsidy"],
    )


def _procurement(rng: np.random.Generator, ctx: _Context) -> pa.Table:
    owner, day = _rows(rng, ctx, "procurement")
    item = (rng.random(owner.size) * len(catalog.PROCUREMENT_ITEMS)).astype(np.int64)
    departments = catalog.PROCUREMENT_DEPARTMENTS
    dept = _weighted(rng, np.array([w for _, w in departments], dtype=np.float64), owner.size)
    amount = np.clip(np.exp(rng.normal(np.log(3e6), 1.6, owner.size)), 1e5, 5e9).astype(np.int64) // 100 * 100
    title = _join(_take(tables().fy_label, _fiscal_index(day)), _take(_pool(list(catalog.PROCUREMENT_ITEMS)), item))
    return pa.Table.from_arrays(
        [
            _take_arr(ctx.numbers, owner),
            title,
            pa.array(amount, type=pa.int64()),
            _dates(day),
            _take(_pool([d for d, _ in departments]), dept),
        ],
        schema=ACTIVITY_SCHEMAS["procurement"],
    )


def _department(
    items: tuple[catalog.Recognition, ...], which: np.ndarray, ctx: _Context, owner: np.ndarray
) -> pa.Array:
    fixed = _take(_pool([x.department for x in items]), which)
    mode = np.array([0 if x.department == "" else 1 if x.department == "-" else 2 for x in items])[which]
    by_pref = _take_arr(ctx.pref_name, owner)
    by_city = _take_arr(ctx.city_name, owner)
    return _where(mode == 0, by_pref, _where(mode == 1, by_city, fixed))


def _certification(rng: np.random.Generator, ctx: _Context) -> pa.Table:
    owner, day = _rows(rng, ctx, "certification")
    items = catalog.CERTIFICATIONS
    which = _weighted(rng, np.array([x.weight for x in items]), owner.size)
    years = np.array([x.years for x in items], dtype=np.int64)[which]
    expiry = day + (years * 365.25).astype(np.int64) - 1
    scale = _where(
        ctx.large[owner],
        pa.scalar("大企業"),
        pa.scalar("中小企業"),
    )
    return pa.Table.from_arrays(
        [
            _take_arr(ctx.numbers, owner),
            _take(_pool([x.title for x in items]), which),
            _take(_pool([x.category for x in items]), which),
            _dates(day),
            scale,
            _dates(expiry, years == 0),
            _department(items, which, ctx, owner),
        ],
        schema=ACTIVITY_SCHEMAS["certification"],
    )


def _commendation(rng: np.random.Generator, ctx: _Context) -> pa.Table:
    owner, day = _rows(rng, ctx, "commendation")
    items = catalog.COMMENDATIONS
    which = _weighted(rng, np.array([x.weight for x in items]), owner.size)
    title = _join(_take(tables().fy_label, _fiscal_index(day)), _take(_pool([x.title for x in items]), which))
    return pa.Table.from_arrays(
        [
            _take_arr(ctx.numbers, owner),
            title,
            _take(_pool([x.category for x in items]), which),
            _dates(day),
            _department(items, which, ctx, owner),
        ],
        schema=ACTIVITY_SCHEMAS["commendation"],
    )


def _take_arr(arr: pa.Array, idx: np.ndarray) -> pa.Array:
    return arr.take(pa.array(idx, type=pa.int32()))


_ACTIVITY_MAKERS = {
    "subsidy": _subsidy,
    "procurement": _procurement,
    "certification": _certification,
    "commendation": _commendation,
}


def iter_chunks(count: int, seed: int = 42) -> Iterator[Chunk]:
    plan = make_plan(count, seed)
    for index in range(plan.chunks):
        yield generate_chunk(plan, index)
