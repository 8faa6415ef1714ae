"""Numbers that arrive as text: from query strings, forms, CSV files and open data.

``str.isdigit()`` is true for more than 0-9: superscripts (``"²"``), which ``int()`` then rejects, so a
check built on it turns a bad parameter into a 500; and the digits of other scripts (``"٣"``), which
``int()`` reads as a number nobody meant. Only ASCII digits count here. Full-width digits (``"１２３"``),
which Japanese input methods type, are made half-width first where a person typed the text.
"""

from __future__ import annotations

_HALF_WIDTH = str.maketrans("０１２３４５６７８９，－", "0123456789,-")


def is_ascii_digits(text: str) -> bool:
    """One or more of 0-9 and nothing else."""
    return text.isascii() and text.isdigit()


def half_width(text: str) -> str:
    """Full-width digits, comma and minus as their ASCII forms (the rest unchanged)."""
    return text.translate(_HALF_WIDTH)


def typed_integer(text: str, max_digits: int = 18) -> int | None:
    """The integer a person typed ("1,200", "１２００", "-5"), or None when the text is not one."""
    normal = half_width(text.strip()).replace(",", "")
    digits = normal.removeprefix("-")
    if not is_ascii_digits(digits) or len(digits) > max_digits:
        return None
    return int(normal)
