"""Authentication context class references (``acr``) for gBizID's account tiers.

gBizID's tiers mix identity proofing and authentication strength, so each ``acr`` value names what a
relying party can rely on, from weakest to strongest (a stronger value satisfies a request for a weaker one):

``urn:gbizid:acr:entry``
    Any account, signed in with its password. Nothing about the person or the corporation is verified
    (roughly IAL1 / AAL1). Entry accounts reach only this level.
``urn:gbizid:acr:member``
    An account tied to a verified corporation and signed in with password plus a possession factor
    (AAL2): Member accounts, issued by a verified Prime holder, and Prime accounts.
``urn:gbizid:acr:prime``
    The corporation's representative (or the sole proprietor), whose identity was proofed from a seal
    certificate or a My Number card (IAL2), signed in with password plus a possession factor (AAL2).

Relying parties ask with ``acr_values`` (as login.gov does); the ID token's ``acr`` says what was reached.
"""

from __future__ import annotations

from typing import Final

from functions.auth.models import AccountTier

ACR_ENTRY: Final = "urn:gbizid:acr:entry"
ACR_MEMBER: Final = "urn:gbizid:acr:member"
ACR_PRIME: Final = "urn:gbizid:acr:prime"

ACR_VALUES: Final[tuple[str, ...]] = (ACR_ENTRY, ACR_MEMBER, ACR_PRIME)  # weakest first

ACR_BY_TIER: Final[dict[AccountTier, str]] = {
    AccountTier.ENTRY: ACR_ENTRY,
    AccountTier.MEMBER: ACR_MEMBER,
    AccountTier.PRIME: ACR_PRIME,
}


def acr_satisfies(reached: str, requested: str) -> bool:
    """Whether a sign-in that reached ``reached`` meets a request for ``requested`` (unknown values: no)."""
    if reached not in ACR_VALUES or requested not in ACR_VALUES:
        return False
    return ACR_VALUES.index(reached) >= ACR_VALUES.index(requested)
