"""What the verdict of a held credential depends on besides the clock: who renews it, and which
warning thresholds apply. The tables, the tray and the expiry watcher all judge through here.

`ExpiryPolicy` holds the user's choices (thresholds, automatic refresh); `HeldCredential` binds a
credential to its account's context once per load, so a once-a-second repaint only calls
`verdict(now)`, which does no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tokendeck.core.models import (
    Account,
    AccountStatus,
    Credential,
    CredentialKind,
    CredentialRole,
    CredentialState,
)
from tokendeck.core.settings import DEFAULT_THRESHOLDS
from tokendeck.core.verdict import Renewal, State, Verdict, judge_credential, urgency

if TYPE_CHECKING:
    from tokendeck.storage.async_catalog import AsyncCatalog


@dataclass(slots=True)
class ExpiryPolicy:
    """The user's settings that decide verdicts; one instance shared by every service."""

    thresholds: tuple[timedelta, ...] = DEFAULT_THRESHOLDS
    auto_refresh: bool = True

    def thresholds_for(self, account: Account | None) -> tuple[timedelta, ...]:
        own = account.settings.warn_thresholds if account is not None else ()
        if own:
            return tuple(sorted((timedelta(seconds=x) for x in own), reverse=True))
        return tuple(sorted(self.thresholds, reverse=True))

    def renewal(self, credential: Credential, account: Account | None) -> Renewal:
        """Only an account's session on a platform that can refresh is renewed by TokenDeck."""
        if account is None or credential.role is not CredentialRole.SESSION:
            return Renewal.NONE
        from tokendeck.platforms.registry import CAPABILITIES  # not on the path to first paint

        caps = CAPABILITIES.get(account.platform)
        if caps is None or not caps.refresh or credential.meta.get("renewable") is False:
            return Renewal.NONE
        if not self.auto_refresh:
            return Renewal.OFF
        if account.status is AccountStatus.SIGNED_IN:
            return Renewal.AUTOMATIC
        return Renewal.FAILING

    def hold(self, credential: Credential, account: Account | None) -> HeldCredential:
        thresholds = self.thresholds_for(account)
        return HeldCredential(
            credential,
            account,
            self.renewal(credential, account),
            thresholds,
        )

    def hold_all(
        self, credentials: Sequence[Credential], accounts: Mapping[str, Account]
    ) -> list[HeldCredential]:
        """`hold` for each, with one thresholds tuple per account shared by its credentials
        (10,000 credentials made 10,000 equal tuples)."""
        thresholds: dict[str, tuple[timedelta, ...]] = {}
        held = []
        for c in credentials:
            account = accounts.get(c.account_id or "")
            key = account.id if account is not None else ""
            own = thresholds.get(key)
            if own is None:
                own = thresholds[key] = self.thresholds_for(account)
            held.append(HeldCredential(c, account, self.renewal(c, account), own))
        return held


@dataclass(frozen=True, slots=True)
class HeldCredential:
    credential: Credential
    account: Account | None
    renewal: Renewal
    thresholds: tuple[timedelta, ...]

    @property
    def warn_within(self) -> timedelta:
        return max(self.thresholds, default=timedelta(0))

    @property
    def person_replaces(self) -> bool:
        """Expiry warnings apply (renewal by TokenDeck is not on or not possible)."""
        return self.renewal in (Renewal.NONE, Renewal.OFF)

    @property
    def expiry_known(self) -> bool:
        """False for a pasted token whose kind carries no readable expiry (opaque, JWE, ...)."""
        c = self.credential
        if c.kind is not CredentialKind.PASTED_TOKEN or c.expires_at is not None:
            return True
        return c.meta.get("token_kind") in (None, "jws", "unsecured_jwt")

    def verdict(self, now: datetime) -> Verdict:
        c = self.credential
        return judge_credential(
            c.expires_at,
            now,
            revoked=c.state is CredentialState.REVOKED,
            renewal=self.renewal,
            warn_within=self.warn_within,
            expiry_known=self.expiry_known,
        )


def headline(
    held: Sequence[HeldCredential], now: datetime
) -> tuple[HeldCredential, Verdict] | None:
    """The one credential an account's row speaks for, with its verdict: the one that most
    needs a person, else the next to expire (a session that renews itself, say), else None."""
    judged = [(h, h.verdict(now)) for h in held]
    needing = [(h, v) for h, v in judged if v.needs_person]
    if needing:
        return min(needing, key=lambda hv: urgency(hv[1]))
    timed = [(h, v) for h, v in judged if v.counts_down]
    if timed:
        return min(timed, key=lambda hv: urgency(hv[1]))
    return None


def warn_horizon(policy: ExpiryPolicy, now: datetime, account_widest: float | None) -> datetime:
    """The latest expiry that can warn at `now`: now + the widest threshold that may apply, the
    policy's or an account's own (`Catalog.widest_warn_threshold`, in seconds). A wider bound
    only reads a few more rows, which each credential's thresholds then judge; a narrower one
    would miss warnings."""
    widest = max(policy.thresholds, default=timedelta(0))
    try:
        if account_widest is not None:
            # An account's thresholds are whole seconds (`int(x)`): ceil keeps the bound.
            widest = max(widest, timedelta(seconds=math.ceil(account_widest)))
        return now + max(widest, timedelta(0))
    except OverflowError:  # a threshold of millennia: every expiry is within it
        return datetime.max.replace(tzinfo=UTC)


async def attention(
    catalog: AsyncCatalog, policy: ExpiryPolicy, now: datetime, soonest: int
) -> list[HeldCredential]:
    """Every credential that may need a person at `now`, plus the `soonest` next ones a person
    replaces: what the tray's icon, tooltip and next expiries are judged from, read in bounded
    queries (`Catalog.attention_candidates`) instead of the whole catalog every refresh."""
    from tokendeck.platforms.registry import CAPABILITIES

    widest = await catalog.widest_warn_threshold()
    credentials, accounts = await catalog.attention_candidates(
        warn_horizon(policy, now, widest),
        renewing_platforms=[p.value for p, caps in CAPABILITIES.items() if caps.refresh],
        auto_refresh=policy.auto_refresh,
        soonest=soonest,
    )
    credentials.sort(key=lambda c: (c.label, c.id))  # as list_credentials: ties judge alike
    return policy.hold_all(credentials, accounts)


def worst_state(held: Sequence[HeldCredential], now: datetime) -> tuple[str, HeldCredential | None]:
    """('expired' | 'warning' | 'ok', the credential that most needs a person) for the tray icon.

    Only verdicts that need a person count: a session TokenDeck renews is never a warning."""
    judged = [(h, h.verdict(now)) for h in held]
    needing = [(h, v) for h, v in judged if v.needs_person]
    if not needing:
        return "ok", None
    h, v = min(needing, key=lambda hv: urgency(hv[1]))
    return ("warning" if v.state is State.ACT_SOON else "expired"), h


def next_expiries(
    held: Sequence[HeldCredential], now: datetime, count: int
) -> list[HeldCredential]:
    """The `count` soonest expiries a person must replace (expired ones first), for the tray."""
    timed = [
        h
        for h in held
        if h.person_replaces and h.credential.expires_at is not None and h.verdict(now).counts_down
    ]
    timed.sort(key=lambda h: (h.credential.expires_at or now, h.credential.id))
    return timed[:count]
