"""The upcoming expiries a person must act on, as calendar events (core/ical): one per key or
token that expires within the next days and that TokenDeck does not renew by itself, with an
alarm at its first warning threshold (the widest that applies to it). Never a secret: the
events name the credential, its account and platform.

Read in one bounded query (`Catalog.attention_candidates` up to the horizon), as the tray does."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tokendeck.core.models import KIND_NAMES, PLATFORM_NAMES, CredentialState
from tokendeck.core.timefmt import utc_iso
from tokendeck.core.verdict import Renewal
from tokendeck.services.standing import ExpiryPolicy, HeldCredential

if TYPE_CHECKING:
    from tokendeck.core.ical import CalendarEvent
    from tokendeck.storage.async_catalog import AsyncCatalog

DEFAULT_DAYS = 90
MAX_DAYS = 3660
LABEL_AT_MOST = 200  # characters of a label in an event's title (a platform may send any)


async def upcoming(
    catalog: AsyncCatalog, policy: ExpiryPolicy, now: datetime, days: int
) -> list[HeldCredential]:
    """Each credential a person replaces that expires between `now` and `days` from now,
    soonest first. Not the sessions TokenDeck would renew with automatic refresh on (off, they
    expire every hour or so: a calendar of them would be noise, and stale at their next
    renewal)."""
    from tokendeck.platforms.registry import CAPABILITIES

    horizon = now + timedelta(days=days)
    credentials, accounts = await catalog.attention_candidates(
        horizon,
        renewing_platforms=[p.value for p, caps in CAPABILITIES.items() if caps.refresh],
        auto_refresh=policy.auto_refresh,
        soonest=0,
    )
    held = [
        h
        for h in policy.hold_all(credentials, accounts)
        if h.person_replaces
        and h.renewal is not Renewal.OFF
        and h.credential.state is not CredentialState.REVOKED
        and h.credential.expires_at is not None
        and now <= h.credential.expires_at <= horizon
    ]
    held.sort(key=lambda h: (h.credential.expires_at or now, h.credential.id))
    return held


def event_of(held: HeldCredential) -> CalendarEvent:
    from tokendeck.core.ical import CalendarEvent

    c = held.credential
    assert c.expires_at is not None
    kind = KIND_NAMES.get(c.kind, c.kind.value)
    account = held.account
    whose = f" of {account.name}" if account is not None else ""
    label = c.label
    if account is not None:  # a key's label starts with its account's name ("prod: CI bot")
        label = label.removeprefix(f"{account.name}: ")
    if len(label) > LABEL_AT_MOST:
        label = label[: LABEL_AT_MOST - 1] + "…"
    lines = [f"{kind} “{label}”{whose} expires {utc_iso(c.expires_at)}."]
    if account is not None:
        lines.append(f"Platform: {PLATFORM_NAMES.get(account.platform, account.platform.value)}")
    lines.append("Replace it before then (TokenDeck: the API keys or Tokens tab).")
    warn = held.warn_within
    return CalendarEvent(
        uid=f"{c.id}-{int(c.expires_at.timestamp())}@tokendeck",
        summary=f"{kind} “{label}”{whose} expires",
        description="\n".join(lines),
        at=c.expires_at,
        alarm_before=warn if warn > timedelta(0) else None,
    )


async def calendar_text(
    catalog: AsyncCatalog, policy: ExpiryPolicy, now: datetime, days: int = DEFAULT_DAYS
) -> tuple[str, int]:
    """The iCalendar text and how many events it holds."""
    from tokendeck.core.ical import to_ical

    held = await upcoming(catalog, policy, now, days)
    return to_ical([event_of(h) for h in held], now), len(held)
