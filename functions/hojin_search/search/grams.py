"""Vectorised construction of one roaring bitmap per character n-gram and per categorical value.

Names are laid end to end as one UTF-32 code array a chunk at a time; characters get dense ids, an n-gram
becomes one integer, and (gram, row) pairs are packed into one int64 key, sorted, and each run of rows becomes
a bitmap. Bitmaps are filled from ``array('I')`` buffers: pyroaring reads those at memory speed, while a
numpy array is iterated element by element.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np
from pyroaring import BitMap

CHUNK_ROWS = 524_288
_ROW_BITS = 23  # row ids below 8,388,608
_ROW_MASK = (1 << _ROW_BITS) - 1
_CHAR_BITS = 20  # dense character ids: a bigram is below 2**40


def bitmap_of(rows: np.ndarray) -> BitMap:
    """A bitmap of row ids given as any integer numpy array (sorted or not)."""
    buffer = array("I")
    buffer.frombytes(np.ascontiguousarray(rows, dtype=np.uint32).tobytes())
    return BitMap(buffer)


def rows_of(bitmap: BitMap) -> np.ndarray:
    """The row ids of a bitmap as a sorted uint32 numpy array."""
    return np.frombuffer(bitmap.to_array(), dtype=np.uint32)


def _add_runs(target: dict[int, BitMap], codes: np.ndarray, rows: np.ndarray) -> None:
    """Add each row to the bitmap of its code. ``codes`` non-negative, below 2**40; rows below 2**23."""
    if codes.size == 0:
        return
    keys = (codes.astype(np.int64) << _ROW_BITS) | rows.astype(np.int64)
    keys.sort()
    codes = keys >> _ROW_BITS
    rows = (keys & _ROW_MASK).astype(np.uint32)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], codes.size]
    for key, start, end in zip(codes[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
        buffer = array("I")
        buffer.frombytes(rows[start:end].tobytes())
        existing = target.get(key)
        if existing is None:
            target[key] = BitMap(buffer)
        else:
            existing.update(buffer)


def build_gram_bitmaps(names: Sequence[str]) -> tuple[dict[str, BitMap], dict[str, BitMap]]:
    """(unigram → rows, bigram → rows) for normalised names; row id = position in ``names``.

    Characters get dense ids (in order of first appearance) so a bigram and its row fit one int64 sort key.
    """
    if len(names) >= 1 << _ROW_BITS:
        raise ValueError(f"at most {(1 << _ROW_BITS) - 1} names per index")
    dense = np.full(0x110000, -1, dtype=np.int64)
    characters: list[int] = []
    unigrams: dict[int, BitMap] = {}
    bigrams: dict[int, BitMap] = {}
    for start in range(0, len(names), CHUNK_ROWS):
        ids, rows = _flat_codes(names[start : start + CHUNK_ROWS], start, dense, characters)
        if len(characters) > 1 << _CHAR_BITS:
            raise ValueError("too many distinct characters for one index")
        present = ids >= 0
        _add_runs(unigrams, ids[present], rows[present])
        pair = present[:-1] & present[1:]
        combined = (ids[:-1] << _CHAR_BITS) | np.maximum(ids[1:], 0)
        _add_runs(bigrams, combined[pair], rows[:-1][pair])
    for bitmap in (*unigrams.values(), *bigrams.values()):
        bitmap.shrink_to_fit()
    mask = (1 << _CHAR_BITS) - 1
    return (
        {chr(characters[key]): bitmap for key, bitmap in unigrams.items()},
        {chr(characters[key >> _CHAR_BITS]) + chr(characters[key & mask]): bm for key, bm in bigrams.items()},
    )


_NGRAM_CHAR_BITS = 15  # frequent n-grams: up to 4 dense character ids in one int64
SAMPLE_ROWS = 500_000  # names counted to choose the frequent n-grams


def _flat_codes(
    chunk: Sequence[str], first_row: int, dense: np.ndarray, characters: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Dense character ids of a chunk of names laid end to end with -1 between names, and the row of each
    position; the id table grows with the characters seen first here. Names hold no NUL (normalisation
    removes control characters), so NUL separates them before the ids are looked up."""
    joined = "\x00".join(chunk) + "\x00"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    seen = np.unique(codes)
    fresh = seen[(seen != 0) & (dense[seen] < 0)]
    dense[fresh] = np.arange(len(characters), len(characters) + fresh.size)
    characters.extend(fresh.tolist())
    lengths = np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk)) + 1
    rows = np.repeat(np.arange(first_row, first_row + len(chunk), dtype=np.int64), lengths)
    ids: np.ndarray = dense[codes]
    return ids, rows


def _ngram_keys(ids: np.ndarray, rows: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(n-gram key, row) for every window of ``size`` characters inside one name."""
    windows = ids.size - size + 1
    if windows <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    valid = np.ones(windows, dtype=bool)
    keys = np.zeros(windows, dtype=np.int64)
    for j in range(size):
        part = ids[j : j + windows]
        valid &= part >= 0
        keys = (keys << _NGRAM_CHAR_BITS) | np.maximum(part, 0)
    return keys[valid], rows[:windows][valid]


def build_frequent_ngram_bitmaps(
    names: Sequence[str], sizes: tuple[int, ...] = (3, 4), min_rows: int = 5000
) -> dict[str, BitMap]:
    """Bitmaps of the 3- and 4-character substrings found at least ``min_rows`` times.

    A query equal to one of them is answered from its bitmap alone; a longer query ANDs them in, so the
    substring test that confirms candidates runs over far fewer rows. Rare n-grams need no bitmap: their
    candidates are few. Two passes: count n-grams over a sample, then fill the bitmaps of the frequent ones.
    """
    dense = np.full(0x110000, -1, dtype=np.int64)
    characters: list[int] = []
    # Counting runs over an evenly spread sample (every ``step``-th name): frequency is a choice of which
    # n-grams get a bitmap, not part of any answer, and the sample keeps the extra build time small.
    step = max(1, len(names) // SAMPLE_ROWS)
    sample = names[::step]
    frequent: dict[int, np.ndarray] = {}
    for size in sizes:
        parts = []
        for start in range(0, len(sample), CHUNK_ROWS):
            ids, rows = _flat_codes(sample[start : start + CHUNK_ROWS], 0, dense, characters)
            if len(characters) > 1 << _NGRAM_CHAR_BITS:
                return {}  # too many distinct characters to pack: the bigram path alone stays exact
            keys, _ = _ngram_keys(ids, rows, size)
            parts.append(keys)
        keys, totals = np.unique(np.concatenate(parts), return_counts=True)
        frequent[size] = keys[totals * step >= min_rows]
    offsets: dict[int, int] = {}
    total = 0
    for size in sizes:
        offsets[size] = total
        total += frequent.get(size, np.zeros(0)).size
    if total == 0:
        return {}
    bitmaps: dict[int, BitMap] = {}
    for start in range(0, len(names), CHUNK_ROWS):
        ids, rows = _flat_codes(names[start : start + CHUNK_ROWS], start, dense, characters)
        if len(characters) > 1 << _NGRAM_CHAR_BITS:
            return {}
        for size in sizes:
            wanted = frequent.get(size)
            if wanted is None or wanted.size == 0:
                continue
            keys, key_rows = _ngram_keys(ids, rows, size)
            at = np.searchsorted(wanted, keys)
            at[at >= wanted.size] = 0
            hit = wanted[at] == keys
            _add_runs(bitmaps, at[hit] + offsets[size], key_rows[hit])
    result: dict[str, BitMap] = {}
    mask = (1 << _NGRAM_CHAR_BITS) - 1
    for size in sizes:
        for position, key in enumerate(frequent.get(size, np.zeros(0, np.int64)).tolist()):
            text = "".join(chr(characters[(key >> (_NGRAM_CHAR_BITS * (size - 1 - j))) & mask]) for j in range(size))
            bitmap = bitmaps.get(position + offsets[size])
            if bitmap is not None:
                bitmap.shrink_to_fit()
                result[text] = bitmap
    return result


def group_bitmaps(values: np.ndarray, skip: int | None = None) -> dict[int, BitMap]:
    """value → bitmap of the rows holding it (one sort, no scan per value); ``skip`` leaves one value out."""
    result: dict[int, BitMap] = {}
    rows = np.arange(values.size, dtype=np.uint32)
    if skip is not None:
        keep = values != skip
        values, rows = values[keep], rows[keep]
    _add_runs(result, values.astype(np.int64), rows)
    return result
