"""Keeps signed-in sessions fresh before they expire.

A session is refreshed at about 80 % of its lifetime or a minute before `exp`, whichever comes
first, minus a little jitter so many accounts do not refresh in the same second. A failure backs
off exponentially (30 s doubling up to 15 min); a network failure marks the account offline and
waits the same way. Refreshes of one account never overlap (the accounts service locks).

A run of failures is published once, when it starts (the tray's one warning: "a person must
act"); the retries behind it are quiet until a success ends the run. Each account is isolated:
whatever one account's refresh raises, the others are still refreshed.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import datetime, timedelta

from tokendeck.core.clock import Clock
from tokendeck.core.errors import TokenDeckError
from tokendeck.core.models import AccountStatus, Credential
from tokendeck.core.verdict import Renewal
from tokendeck.services.events import EventBus, RefreshFailed
from tokendeck.services.sessions import SessionsService
from tokendeck.services.standing import ExpiryPolicy

log = logging.getLogger(__name__)

SHARE_OF_LIFETIME = 0.8
BEFORE_EXPIRY = timedelta(minutes=1)
JITTER = 0.05
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(minutes=15)
# The accounts whose sessions are renewed: signed in, or whose last renewal failed.
RENEWED_STATUSES = (AccountStatus.SIGNED_IN, AccountStatus.OFFLINE, AccountStatus.ERROR)


def due_at(session: Credential, rng: random.Random | None = None) -> datetime | None:
    exp = session.expires_at
    if exp is None:
        return None
    start = session.created_at or exp - timedelta(hours=1)
    lifetime = exp - start
    at_share = start + lifetime * SHARE_OF_LIFETIME
    due = min(at_share, exp - BEFORE_EXPIRY)
    spread = (rng or random.Random()).random()  # noqa: S311 - spreading load, not security
    jitter = lifetime * JITTER * spread
    return due - jitter


class RefreshScheduler:
    def __init__(
        self,
        sessions: SessionsService,
        bus: EventBus,
        clock: Clock,
        *,
        seed: int | None = None,
        policy: ExpiryPolicy | None = None,
    ) -> None:
        self._sessions = sessions
        self._bus = bus
        self._clock = clock
        self._rng = random.Random(seed)  # noqa: S311 - jitter, not security
        self._failures: dict[str, int] = {}
        self._not_before: dict[str, datetime] = {}
        self.policy = policy or ExpiryPolicy()

    @property
    def enabled(self) -> bool:
        return self.policy.auto_refresh

    @staticmethod
    def _backoff(failures: int) -> timedelta:
        """The wait after the `failures`-th failure in a row (1, 2, ...). Doubled step by step
        under the cap: `BACKOFF_FIRST * 2 ** (failures - 1)` overflows timedelta at the 43rd
        failure (about ten hours offline), and that raised out of every later tick."""
        backoff = BACKOFF_FIRST
        for _ in range(1, failures):
            backoff = min(BACKOFF_MAX, backoff * 2)
        return backoff

    async def tick(self) -> list[str]:
        """Refresh what is due now; returns the ids of the accounts refreshed."""
        if not self.enabled:
            return []
        now = self._clock.now()
        refreshed: list[str] = []
        for account, held in await self._sessions.sessions_by_account(RENEWED_STATUSES):
            if account.status not in RENEWED_STATUSES:  # changed between the two reads
                continue
            if self._not_before.get(account.id, now) > now:
                continue
            sessions = [c for c in held if self.policy.renewal(c, account) is not Renewal.NONE]
            if not sessions:
                continue
            due = due_at(sessions[0], self._rng)
            if due is None or due > now:
                continue
            try:
                await self._sessions.refresh(account)
            except Exception as error:  # one account never stops the others
                message = (
                    error.details()
                    if isinstance(error, TokenDeckError)
                    else f"Unexpected error ({type(error).__name__})."
                )
                if not isinstance(error, TokenDeckError):
                    log.exception("auto-refresh of account %s raised", account.name)
                count = self._failures.get(account.id, 0) + 1
                self._failures[account.id] = count
                self._not_before[account.id] = now + self._backoff(count)
                log.warning(
                    "auto-refresh of account %s failed (%d): %s", account.name, count, message
                )
                if count == 1:
                    self._bus.publish(RefreshFailed(account.id, account.name, message))
                continue
            self._failures.pop(account.id, None)
            self._not_before.pop(account.id, None)
            refreshed.append(account.id)
        return refreshed

    async def run(self, interval: float = 5.0) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # the scheduler must outlive any single failure
                log.exception("refresh scheduler tick failed")
            await asyncio.sleep(interval)
