"""Pure checks of what a person types: e-mail addresses, the password policy, verification codes.

The password policy is the user pool's (``infra/resource_specs.py``: 12 characters or more with an upper-case
letter, a lower-case letter, a digit and a symbol), checked here first so each rule that is not met can be
named next to the field.
"""

from __future__ import annotations

import re
import string
from typing import Final

PASSWORD_MIN_LENGTH: Final = 12
PASSWORD_MAX_LENGTH: Final = 256  # Cognito's limit
EMAIL_MAX_LENGTH: Final = 254
DISPLAY_NAME_MAX_LENGTH: Final = 100
# Cognito's symbol set for password policies.
PASSWORD_SYMBOLS: Final = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "  # noqa: S105  # a character class

_EMAIL: Final = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_CODE: Final = re.compile(r"^[0-9]{6}$")


def normalize_email(text: str) -> str | None:
    """The address in the form accounts are keyed by (trimmed, lower case), or ``None`` if it is not one."""
    candidate = text.strip().lower()
    if len(candidate) > EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(candidate):
        return None
    return candidate


def password_problems(password: str) -> list[str]:
    """The message keys of every policy rule the password breaks (empty when it meets the policy)."""
    problems: list[str] = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append("password.too_short")
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append("password.too_long")
    if not any(char in string.ascii_uppercase for char in password):
        problems.append("password.needs_upper")
    if not any(char in string.ascii_lowercase for char in password):
        problems.append("password.needs_lower")
    if not any(char in string.digits for char in password):
        problems.append("password.needs_digit")
    if not any(char in PASSWORD_SYMBOLS for char in password):
        problems.append("password.needs_symbol")
    if password != password.strip():
        problems.append("password.edge_space")
    return problems


def normalize_code(text: str) -> str | None:
    """A 6-digit code as typed (spaces and hyphens allowed, full-width digits folded), or ``None``."""
    folded = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    compact = re.sub(r"[\s-]", "", folded)
    return compact if _CODE.fullmatch(compact) else None


def clean_display_name(text: str) -> str | None:
    """A display name without control characters, or ``None`` when it is too long or has them."""
    name = " ".join(text.split())
    if len(name) > DISPLAY_NAME_MAX_LENGTH or any(not char.isprintable() for char in name):
        return None
    return name


def is_relative_path(target: str) -> bool:
    """Whether ``target`` is a path on this site: it starts with one ``/`` and names no other host.

    ``//evil.example`` (scheme-relative), ``/\\evil.example`` (browsers read ``\\`` as ``/``), absolute URLs and
    anything with control characters are open-redirect attempts.
    """
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return False
    return len(target) <= 2048
