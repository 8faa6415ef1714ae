"""gBizINFO's workplace bands (the letters of ``average_age`` & co.) as intervals over the MHLW figures.

The letters and their ranges are those of gBizINFO's published API description (the parameter texts of
``GET /v1/hojin``): 平均継続勤務年数 A ～5年, B 6～10年, C 11～20年, D 21年～; 平均年齢 A ～30歳, B 31～45歳,
C 46～60歳, D 61歳～; 月平均所定外労働時間 A 20時間未満, B 40時間未満, C 40時間以上 (three bands only);
女性労働者の割合 A ～20%, B 21～40%, C 41～60%, D 61%～.

gBizINFO writes whole numbers but the figures are decimals (41.2 years), so each band is read as an interval
that leaves no gap: "A ～30歳, B 31歳～" becomes A ≤ 30 < B. Overtime is written with 未満/以上 and so is
closed on the left instead: A < 20 ≤ B < 40 ≤ C. A corporation without the figure is in no band.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # the wire module reads the bands for its texts: no numpy on that import path
    import numpy as np


@dataclass(frozen=True)
class BandScale:
    """Bands A, B, … separated by ``cuts``; ``upper_closed``: a cut belongs to the band below it."""

    cuts: tuple[float, ...]
    upper_closed: bool
    unit_ja: str
    unit_en: str

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple("ABCDEFGH"[: len(self.cuts) + 1])

    def bounds(self, letter: str) -> tuple[float | None, float | None]:
        """The band's lower and upper cut (``None``: open)."""
        k = self.letters.index(letter)
        return (self.cuts[k - 1] if k > 0 else None, self.cuts[k] if k < len(self.cuts) else None)

    def mask(self, values: np.ndarray, letter: str) -> np.ndarray:
        """Which of ``values`` (float, NaN = unknown) fall in the band."""
        low, high = self.bounds(letter)
        inside: np.ndarray = values == values  # False for NaN (unknown)
        if self.upper_closed:
            if low is not None:
                inside &= values > low
            if high is not None:
                inside &= values <= high
        else:
            if low is not None:
                inside &= values >= low
            if high is not None:
                inside &= values < high
        return inside

    def describe(self) -> str:
        """``A: 30歳以下 (30 or under); B: …`` for the OpenAPI parameter text and the guide."""
        parts = []
        for letter in self.letters:
            low, high = self.bounds(letter)
            parts.append(f"{letter}: {self._ja(low, high)} ({self._en(low, high)})")
        return "; ".join(parts)

    def _ja(self, low: float | None, high: float | None) -> str:
        below, above = ("以下", "超") if self.upper_closed else ("未満", "以上")
        if low is None:
            return f"{_n(high)}{self.unit_ja}{below}"
        if high is None:
            return f"{_n(low)}{self.unit_ja}{above}"
        return f"{_n(low)}{self.unit_ja}{above}{_n(high)}{self.unit_ja}{below}"

    def _en(self, low: float | None, high: float | None) -> str:
        if self.upper_closed:
            if low is None:
                return f"{_n(high)} {self.unit_en} or under"
            if high is None:
                return f"over {_n(low)} {self.unit_en}"
            return f"over {_n(low)} up to {_n(high)} {self.unit_en}"
        if low is None:
            return f"under {_n(high)} {self.unit_en}"
        if high is None:
            return f"{_n(low)} {self.unit_en} or more"
        return f"{_n(low)} to under {_n(high)} {self.unit_en}"


def _n(value: float | None) -> str:
    return f"{value:g}"


WORKPLACE_BANDS: Final[dict[str, BandScale]] = {
    "average_continuous_service_years": BandScale((5, 10, 20), True, "年", "years"),
    "average_age": BandScale((30, 45, 60), True, "歳", "years of age"),
    "month_average_predetermined_overtime_hours": BandScale((20, 40), False, "時間", "hours a month"),
    "female_workers_proportion": BandScale((20, 40, 60), True, "%", "percent"),
}
