"""A lost create's orphan is only a key that appeared since, with the name asked for, made after
the request started: a same-name key made elsewhere earlier is never revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tokendeck.core.errors import NetworkError
from tokendeck.core.platform_types import RemoteKey
from tokendeck.services.key_writes import after_lost_create

START = datetime(2026, 6, 1, 12, tzinfo=UTC)


async def test_only_the_new_key_made_since_the_request_is_revoked() -> None:
    listed = [
        RemoteKey(id="old", name="ci", created_at=START - timedelta(days=3)),
        RemoteKey(id="elsewhere", name="ci", created_at=START - timedelta(hours=1)),
        RemoteKey(id="ours", name="ci", created_at=START + timedelta(seconds=1)),
        RemoteKey(id="other", name="nightly", created_at=START + timedelta(seconds=1)),
    ]
    revoked: list[str] = []

    async def list_keys() -> list[RemoteKey]:
        return listed

    async def revoke(key_id: str) -> None:
        revoked.append(key_id)

    error = await after_lost_create(
        NetworkError("Could not reach the platform."), "ci", {"old"}, list_keys, revoke, START
    )
    assert revoked == ["ours"]
    assert error.created_ids == ("ours",)
    assert "TokenDeck revoked it" in str(error)
