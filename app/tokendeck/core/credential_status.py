"""Where a held credential stands at a moment: the same statuses the Inspector shows."""

from __future__ import annotations

from datetime import datetime, timedelta

from tokendeck.core.models import Credential, CredentialState
from tokendeck.core.token_status import TokenStatus

EXPIRING_SOON = timedelta(days=1)


def credential_status(
    credential: Credential, now: datetime, soon: timedelta = EXPIRING_SOON
) -> TokenStatus:
    if credential.state is CredentialState.REVOKED:
        return TokenStatus.EXPIRED
    if credential.expires_at is None:
        return TokenStatus.NO_EXPIRY
    remaining = credential.expires_at - now
    if remaining <= timedelta(0):
        return TokenStatus.EXPIRED
    if remaining <= soon:
        return TokenStatus.EXPIRING_SOON
    return TokenStatus.VALID
