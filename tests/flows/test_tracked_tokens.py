"""Tracking a pasted token: once only, and never a malformed one."""

from __future__ import annotations

import pytest

from tests.tokens import claims, hs256
from tokendeck.core.errors import AlreadyTrackedError
from tokendeck.core.secret import Secret
from tokendeck.services.app_services import AppServices


async def test_the_same_token_is_tracked_once(services: AppServices) -> None:
    token, _ = hs256(claims(lifetime=7200))
    first = await services.tokens.track("Support token", Secret(token))
    with pytest.raises(AlreadyTrackedError) as caught:
        await services.tokens.track("Again", Secret(f"  {token}\n"))
    assert caught.value.existing.id == first.id
    assert "Support token" in str(caught.value)
    other, _ = hs256(claims(lifetime=7200, sub="someone-else"))
    await services.tokens.track("Other", Secret(other))
    labels = sorted(h.credential.label for h in await services.tokens.held())
    assert labels == ["Other", "Support token"]


async def test_a_malformed_jwt_cannot_be_tracked(services: AppServices) -> None:
    token, _ = hs256(claims())
    with pytest.raises(ValueError, match="base64url"):
        await services.tokens.track("Broken", Secret(token + "AB"))
    assert await services.tokens.held() == []
