"""Japanese mobile numbers for SMS codes: what a person types, stored as E.164 (``+819012345678``)."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# 070, 080 and 090 numbers: 0 + [789]0 + 8 digits; in E.164 the leading 0 gives way to +81.
_NATIONAL: Final = re.compile(r"^0([789]0\d{8})$")
_INTERNATIONAL: Final = re.compile(r"^\+81([789]0\d{8})$")
_SEPARATORS: Final = re.compile(r"[\s\-()\u2010-\u2015\u2212\u30fc]")


class InvalidPhoneNumber(ValueError):
    """Not a Japanese mobile number (070/080/090-xxxx-xxxx or +81 90 xxxx xxxx)."""


def normalize_mobile_number(text: str) -> str:
    """Return the E.164 form of a Japanese mobile number typed in the usual ways.

    Full-width digits, spaces, hyphens and parentheses are accepted; ``+81`` may be followed by the
    national number without its leading 0 (``+81 90 1234 5678``) or, as people often write, with it
    (``+81 090 1234 5678``).
    """
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if compact.startswith("+810"):
        compact = "+81" + compact[4:]
    found = _NATIONAL.fullmatch(compact) or _INTERNATIONAL.fullmatch(compact)
    if found is None:
        raise InvalidPhoneNumber("a Japanese mobile number (070, 080 or 090) is required")
    return "+81" + found.group(1)


def mask_phone(e164: str) -> str:
    """Show a stored number without revealing it whole: ``+81 90-****-5678``."""
    national = e164.removeprefix("+81")
    return f"+81 {national[:2]}-****-{national[-4:]}"
