"""Every adapter reads a platform's JSON through one safe path: a hostile body (deeply nested,
not UTF-8, not JSON) becomes a ProtocolError, never a RecursionError or a traceback."""

from __future__ import annotations

import httpx
import pytest

from tokendeck.core.clock import SystemClock
from tokendeck.core.errors import ProtocolError, ServerError
from tokendeck.core.models import AccountSettings, Platform
from tokendeck.core.platform_types import Session
from tokendeck.core.secret import Secret
from tokendeck.platforms.registry import make_adapter

HOSTILE = (b"[" * 200_000, b"\xff\xfe not utf-8", b"{not json", b'{"a":' * 5000 + b"1")


@pytest.mark.parametrize("body", HOSTILE, ids=["deep", "binary", "broken", "deep-object"])
@pytest.mark.parametrize("platform", [Platform.DATALOOP, Platform.HAUT, Platform.TRIFACTA])
async def test_a_hostile_listing_body_is_a_protocol_error(platform: Platform, body: bytes) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    adapter = make_adapter(
        platform, "https://platform.example", AccountSettings(), SystemClock(), transport
    )
    try:
        with pytest.raises(ProtocolError):
            await adapter.list_keys(Session(Secret("tdtest-token")))
    finally:
        await adapter.aclose()


async def test_a_hostile_error_body_still_gives_the_status() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(500, content=b"[" * 200_000))
    adapter = make_adapter(
        Platform.HAUT, "https://h.example", AccountSettings(), SystemClock(), transport
    )
    try:
        with pytest.raises(ServerError) as caught:
            await adapter.list_keys(Session(Secret("tdtest-token")))
    finally:
        await adapter.aclose()
    assert "internal error" in str(caught.value)
