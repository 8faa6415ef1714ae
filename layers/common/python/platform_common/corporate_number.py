"""The 13-digit corporate number (法人番号) of the National Tax Agency and its check digit.

Layout: one check digit, then a 12-digit base number. The check digit is
``9 - (sum(P_n * Q_n) mod 9)`` where ``P_n`` is the n-th digit of the base counted from the right and
``Q_n`` is 1 for odd n, 2 for even n. It is therefore always 1-9.
"""

from __future__ import annotations

import re

_THIRTEEN_DIGITS = re.compile(r"[0-9]{13}")


class InvalidCorporateNumber(ValueError):
    """The text is not a valid corporate number; the message says why."""


def check_digit(base: str) -> int:
    """Return the check digit for a 12-digit base number."""
    if len(base) != 12 or not base.isascii() or not base.isdigit():
        raise InvalidCorporateNumber("the base number must be 12 ASCII digits")
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base), start=1))
    return 9 - total % 9


def make_corporate_number(base: str) -> str:
    """Prefix a 12-digit base number with its check digit."""
    return f"{check_digit(base)}{base}"


def validate_corporate_number(value: str) -> str:
    """Return ``value`` if it is a valid corporate number, else raise :class:`InvalidCorporateNumber`."""
    if not isinstance(value, str) or not _THIRTEEN_DIGITS.fullmatch(value):
        raise InvalidCorporateNumber("a corporate number is 13 ASCII digits")
    if int(value[0]) != check_digit(value[1:]):
        raise InvalidCorporateNumber("the check digit does not match")
    return value


def is_valid_corporate_number(value: str) -> bool:
    try:
        validate_corporate_number(value)
    except InvalidCorporateNumber:
        return False
    return True
