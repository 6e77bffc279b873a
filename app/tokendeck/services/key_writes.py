"""Writes to a platform's keys whose answer may be lost, or may lie, made safe in one place.

- **A create whose answer never arrived** (a dropped connection, a cut or unreadable body) may
  have happened. TokenDeck never retries it blindly; it lists the keys again, and a key that was
  not there before, with the name asked for, is the orphan: its secret never arrived, so it is
  revoked at once where the platform allows it (nothing unknown stays live), and the error
  names it either way. If the listing fails too, the error still says a key may exist.
- **A revoke is confirmed** by listing the keys: only a key that is gone, or listed as revoked,
  is recorded as revoked. A 200 with an unreadable body from a proxy or a captive portal no
  longer makes TokenDeck drop a key that is still live.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from tokendeck.core.errors import (
    CertificateError,
    NetworkError,
    ProtocolError,
    TokenDeckError,
    UncertainWriteError,
)
from tokendeck.core.platform_types import RemoteKey

log = logging.getLogger(__name__)

ListKeys = Callable[[], Awaitable[list[RemoteKey]]]
RevokeKey = Callable[[str], Awaitable[None]]

# How far the platform's clock may be behind ours when it dates a key it just created.
CLOCK_SLACK = timedelta(minutes=5)
# The errors after which a create may or may not have happened on the platform.
AMBIGUOUS = (NetworkError, ProtocolError)


def may_have_happened(error: TokenDeckError) -> bool:
    """Whether the platform may have made the change that failed: not after a refused TLS
    certificate (the handshake failed before anything was sent)."""
    return isinstance(error, AMBIGUOUS) and not isinstance(error, CertificateError)


async def key_ids(list_keys: ListKeys) -> set[str] | None:
    """The ids listed now; None when the listing fails (then nothing can be told apart)."""
    try:
        return {k.id for k in await list_keys()}
    except TokenDeckError as error:
        log.info("listing keys before a create failed: %s", error.message)
        return None


async def after_lost_create(
    error: TokenDeckError,
    name: str,
    before: set[str] | None,
    list_keys: ListKeys,
    revoke: RevokeKey | None,
    started: datetime | None = None,
) -> UncertainWriteError:
    """The error to raise for a create whose answer was lost: what happened, and what is left."""
    said = f"Creating “{name}”: {error.message}"
    try:
        after = await list_keys() if before is not None else None
    except TokenDeckError as listing:
        log.info("listing keys after a lost create failed: %s", listing.message)
        after = None
    if after is None:
        return UncertainWriteError(
            f"{said} The platform may have created the key anyway, and TokenDeck could not "
            f"check: look for an unexpected key named “{name}” in the API keys tab and revoke it."
        )
    orphans = [
        k
        for k in after
        if k.id not in (before or set())
        and k.name == name
        # a key someone made elsewhere meanwhile, under the same name, is not ours to revoke
        and (k.created_at is None or started is None or k.created_at >= started - CLOCK_SLACK)
    ]
    if not orphans:
        return UncertainWriteError(f"{said} No key was created: try again.", created_ids=())
    ids = tuple(k.id for k in orphans)
    shown = ", ".join(ids)
    if revoke is None:
        return UncertainWriteError(
            f"{said} The platform created it (id {shown}), but its secret never arrived, and "
            "TokenDeck cannot revoke keys on this platform: delete it on the platform, then "
            "create another.",
            created_ids=ids,
        )
    failed: list[str] = []
    for key_id in ids:
        try:
            await revoke(key_id)
        except TokenDeckError as revoking:
            failed.append(f"{key_id} ({revoking.message})")
    if failed:
        return UncertainWriteError(
            f"{said} The platform created it, but its secret never arrived, and TokenDeck "
            f"could not revoke it: revoke {', '.join(failed)} in the API keys tab.",
            created_ids=ids,
        )
    return UncertainWriteError(
        f"{said} The platform created it (id {shown}), but its secret never arrived, so "
        "TokenDeck revoked it: nothing unknown is left live. Create it again.",
        created_ids=ids,
    )


async def confirm_revoked(key_id: str, list_keys: ListKeys) -> None:
    """Raise unless the platform's listing shows `key_id` gone or revoked."""
    try:
        listed = await list_keys()
    except TokenDeckError as error:
        raise UncertainWriteError(
            f"The platform answered the revoke, but TokenDeck could not confirm it "
            f"({error.message}). Nothing was changed here: try again."
        ) from None
    still = next((k for k in listed if k.id == key_id and not k.revoked), None)
    if still is not None:
        raise ProtocolError(
            "The platform answered the revoke, but the key is still active there. Nothing was "
            "changed here: try again."
        )
