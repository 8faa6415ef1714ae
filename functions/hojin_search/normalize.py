"""One normalisation of corporation names for the search index, the queries and SPARQL's full text.

``normalize_name`` applies, in order and until nothing changes:

1. Unicode NFKC (full-width ASCII → ASCII, half-width katakana → full-width, ㈱ → (株), ideographic space → space);
2. case folding (``str.casefold``: ABC, ＡＢＣ and abc are one);
3. removal of white space and control characters;
4. removal of corporate-kind words (株式会社, (株), 有限会社, 合同会社, 一般社団法人, 医療法人社団, …) in any position;
5. katakana → hiragana (カ → か; ヴ → ゔ; ー and the katakana without a hiragana twin, ヷ–ヺ, are kept).

Hiragana was chosen as the folded form because gBizINFO users type names in either script and hiragana
keeps the smaller alphabet; the choice only matters inside the index.

Kind words are removed because a user searching "トヨタ" expects "トヨタ自動車株式会社" and users write the kind
in several ways ("株式会社", "(株)", "㈱"). The words removed from a name are kept by ``kind_words`` (canonical
spellings: "(株)" → "株式会社"): a query made only of kind words matches the names that carry those kinds, and a
query with both text and kind words requires both (see ``functions.hojin_search.search``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

# Canonical kind word → its other spellings (after NFKC and case folding). Longest words are matched first, so
# "医療法人社団" is one word rather than "医療法人" + "社団".
_KIND_SPELLINGS: dict[str, tuple[str, ...]] = {
    "株式会社": ("(株)",),
    "有限会社": ("(有)",),
    "合同会社": ("(同)",),
    "合名会社": ("(名)",),
    "合資会社": ("(資)",),
    "一般社団法人": ("(一社)",),
    "一般財団法人": ("(一財)",),
    "公益社団法人": ("(公社)",),
    "公益財団法人": ("(公財)",),
    "特定非営利活動法人": ("(特非)", "npo法人"),
    "医療法人社団": (),
    "医療法人財団": (),
    "医療法人": ("(医)",),
    "社会福祉法人": ("(福)",),
    "学校法人": ("(学)",),
    "宗教法人": ("(宗)",),
    "農事組合法人": ("(農)",),
    "税理士法人": ("(税)",),
    "弁護士法人": ("(弁)",),
    "司法書士法人": ("(司)",),
    "社会保険労務士法人": ("(社労)",),
    "行政書士法人": ("(行)",),
    "監査法人": ("(監)",),
    "独立行政法人": ("(独)",),
    "地方独立行政法人": ("(地独)",),
}

KIND_WORDS: tuple[str, ...] = tuple(_KIND_SPELLINGS)

# NTA kind codes (REFERENCES.md) whose names carry the canonical word; used to map a kind-only query onto the
# kind column where it is exact (the other words share the code 399 "other registered").
KIND_CODE_OF_WORD: dict[str, str] = {
    "株式会社": "301",
    "有限会社": "302",
    "合名会社": "303",
    "合資会社": "304",
    "合同会社": "305",
}

_CANONICAL: dict[str, str] = {}
for _canonical, _spellings in _KIND_SPELLINGS.items():
    _CANONICAL[_canonical] = _canonical
    for _spelling in _spellings:
        _CANONICAL[_spelling] = _canonical
_KIND_PATTERN = re.compile("|".join(re.escape(word) for word in sorted(_CANONICAL, key=len, reverse=True)))
_SPACE_PATTERN = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]+")

# ァ (U+30A1) … ヶ (U+30F6) and ヽヾ → hiragana; ヷヸヹヺ (no hiragana twin) and ー stay.
_KATA_TO_HIRA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_KATA_TO_HIRA.update({0x30FD: 0x309D, 0x30FE: 0x309E})
# ヵヶ fold to ゕゖ (U+3095, U+3096) by the same offset.
_KATAKANA_PATTERN = re.compile("[\u30a1-\u30f6\u30fd\u30fe]")

_MAX_ROUNDS = 64


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = unicodedata.normalize("NFKC", text.casefold())
    return _SPACE_PATTERN.sub("", text)


def _one_round(text: str) -> tuple[str, list[str]]:
    folded = _fold(text)
    found = [_CANONICAL[match] for match in _KIND_PATTERN.findall(folded)]
    stripped = _KIND_PATTERN.sub("", folded) if found else folded
    if _KATAKANA_PATTERN.search(stripped) is not None:
        stripped = stripped.translate(_KATA_TO_HIRA)
    return stripped, found


def _is_fixed(text: str) -> bool:
    """True when one more round would change nothing (C-speed checks instead of a second round)."""
    return (
        unicodedata.is_normalized("NFKC", text)
        and text.casefold() == text
        and _KIND_PATTERN.search(text) is None
        and _SPACE_PATTERN.search(text) is None
        and _KATAKANA_PATTERN.search(text) is None
    )


def _split(text: str) -> tuple[str, tuple[str, ...]]:
    found: list[str] = []
    current = text
    for _ in range(_MAX_ROUNDS):
        following, words = _one_round(current)
        found.extend(words)
        if following == current:
            break
        current = following
        if _is_fixed(current):
            break
    return current, tuple(sorted(set(found)))


@lru_cache(maxsize=4096)
def _split_cached(text: str) -> tuple[str, tuple[str, ...]]:
    return _split(text)


def normalize_name(text: str) -> str:
    """The searchable form of a name or a query (see the module docstring). Idempotent."""
    return _split_cached(text)[0] if len(text) < 256 else _split(text)[0]


def kind_words(text: str) -> tuple[str, ...]:
    """The canonical corporate-kind words found in ``text`` (sorted, each once): "(株)テスト" → ("株式会社",)."""
    return _split_cached(text)[1] if len(text) < 256 else _split(text)[1]


def split_name(text: str) -> tuple[str, tuple[str, ...]]:
    """``(normalize_name(text), kind_words(text))`` in one pass (used by the index build)."""
    return _split(text)


def normalize_names(names: Sequence[str | None]) -> tuple[list[str], list[tuple[str, ...]]]:
    """``split_name`` of many names at once (the index build): equal results, about three times faster.

    Width, case and kind words are handled per name with C-speed checks that skip what cannot apply; the
    katakana → hiragana step runs over a chunk of names as one numpy array of code points.
    """
    folded: list[str] = []
    kinds: list[tuple[str, ...]] = []
    for raw in names:
        text = unicodedata.normalize("NFKC", raw or "")
        lowered = text.casefold()
        changed = lowered != text
        if changed:
            text = unicodedata.normalize("NFKC", lowered)
        if " " in text or not text.isprintable():
            text = _SPACE_PATTERN.sub("", text)
            changed = True
        found: list[str] = []
        if "会社" in text or "法人" in text or "(" in text:
            text = _KIND_PATTERN.sub(_Collector(found), text)
            changed = changed or bool(found)
        if changed and not (
            unicodedata.is_normalized("NFKC", text)
            and text.casefold() == text
            and _KIND_PATTERN.search(text) is None
            and _SPACE_PATTERN.search(text) is None
        ):
            text, words = _split(raw or "")  # a rare name that needs more than one round
            folded.append(text)
            kinds.append(words)
            continue
        folded.append(text)
        kinds.append(tuple(sorted(set(found))) if found else ())
    return _katakana_to_hiragana(folded), kinds


_BATCH = 65_536


class _Collector:
    """A ``re.sub`` replacement that removes a kind word and records its canonical spelling."""

    def __init__(self, found: list[str]) -> None:
        self.found = found

    def __call__(self, match: re.Match[str]) -> str:
        self.found.append(_CANONICAL[match.group()])
        return ""


def _katakana_to_hiragana(texts: list[str]) -> list[str]:
    result: list[str] = []
    for start in range(0, len(texts), _BATCH):
        chunk = texts[start : start + _BATCH]
        width = max((len(text) for text in chunk), default=0)
        if width == 0:
            result.extend(chunk)
            continue
        codes = np.array(chunk, dtype=f"<U{width}").view(np.uint32)
        shift = ((codes >= 0x30A1) & (codes <= 0x30F6)) | (codes == 0x30FD) | (codes == 0x30FE)
        codes[shift] -= 0x60
        result.extend(codes.view(f"<U{width}").tolist())
    return result


def normalize_text(text: str) -> str:
    """Width, case, space and kana folding without removing kind words (titles of activity rows)."""
    return _fold(text).translate(_KATA_TO_HIRA)


def name_bigrams(normalized: str) -> set[str]:
    """The distinct two-character substrings of an already normalised name ("あいう" → {"あい", "いう"})."""
    return {normalized[i : i + 2] for i in range(len(normalized) - 1)}
