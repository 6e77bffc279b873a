"""Warn before credentials expire: each threshold fires once per credential, remembered in the
catalog across restarts. `check()` is pure bookkeeping over an injected clock; `run()` loops it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tokendeck.core.clock import Clock
from tokendeck.services.events import EventBus, ExpirySummary, ExpiryWarning
from tokendeck.services.standing import ExpiryPolicy, HeldCredential, warn_horizon
from tokendeck.storage.async_catalog import AsyncCatalog

log = logging.getLogger(__name__)


# How much further than what is due a read of the catalog reaches, for the checks that follow.
READ_AHEAD = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class _DueRead:
    key: tuple[tuple[int, int], tuple[timedelta, ...], bool]  # catalog version, policy
    widest: float | None  # the accounts' widest own threshold, in seconds
    until: datetime  # every credential expiring by then was read
    held: list[HeldCredential]  # those a person replaces
    fired: dict[str, set[int]]  # their fired thresholds


class ExpiryWatcher:
    """Warns only about what a person must replace (see `core.verdict`): a session TokenDeck
    renews by itself never warns while renewal is on; a failing renewal is reported once by the
    refresh scheduler instead."""

    def __init__(
        self,
        catalog: AsyncCatalog,
        bus: EventBus,
        clock: Clock,
        policy: ExpiryPolicy | None = None,
    ) -> None:
        self._catalog = catalog
        self._bus = bus
        self._clock = clock
        self.policy = policy or ExpiryPolicy()
        self._last_read: _DueRead | None = None

    async def check(self) -> list[ExpiryWarning]:
        """Fire what is due now: only the tightest threshold crossed, the wider ones are marked.
        One warning is published as it is; several at once become one `ExpirySummary`.

        The work is that of what is due, not of the catalog: it reads only the credentials that
        expire by `horizon(now)` (and their accounts), then only their fired thresholds. The
        tables still load everything through the catalog snapshot; the watcher does not.

        A read covers `READ_AHEAD` more than is due, and the checks after it reuse it while the
        catalog's version and the policy are unchanged and their horizon is inside it: an idle
        check is one version query and a loop over the due rows (a read of 620 due rows of
        10,000 took 31 ms every 15 s). Any write, this watcher's own marks included, changes
        the version, so the next check reads again."""
        now = self._clock.now()
        read = await self._due(now)
        fired: list[ExpiryWarning] = []
        marks: list[tuple[str, int]] = []
        for h in read.held:
            credential = h.credential
            expires_at = credential.expires_at
            if expires_at is None:  # never: the query reads none such (this is for the types)
                continue
            remaining = expires_at - now
            due = [t for t in h.thresholds if remaining <= t]
            if remaining <= timedelta(0):
                due.append(timedelta(0))
            already = read.fired.get(credential.id, set())
            new = [t for t in due if int(t.total_seconds()) not in already]
            if not new:
                continue
            marks += [(credential.id, int(t.total_seconds())) for t in new]
            fired.append(
                ExpiryWarning(
                    credential,
                    min(new),
                    expires_at,
                    expired=remaining <= timedelta(0),
                )
            )
        if not marks:
            return []
        await self._catalog.mark_fired_many(marks)
        if len(fired) == 1:
            self._bus.publish(fired[0])
        elif fired:
            self._bus.publish(ExpirySummary(tuple(fired)))
        return fired

    async def _due(self, now: datetime) -> _DueRead:
        catalog = self._catalog
        key = (await catalog.version(), self.policy.thresholds, self.policy.auto_refresh)
        last = self._last_read
        if last is not None and last.key == key and self.horizon(now, last.widest) <= last.until:
            return last
        widest = await catalog.widest_warn_threshold()
        try:
            until = self.horizon(now, widest) + READ_AHEAD
        except OverflowError:  # a horizon at the end of time already covers everything
            until = datetime.max.replace(tzinfo=UTC)
        credentials, accounts = await catalog.due_credentials(until)
        # Sessions TokenDeck renews never warn; the query already left out revoked credentials
        # and those without an expiry (or expiring after every threshold).
        held = [h for h in self.policy.hold_all(credentials, accounts) if h.person_replaces]
        fired = await catalog.fired_for([h.credential.id for h in held]) if held else {}
        self._last_read = _DueRead(key, widest, until, held, fired)
        return self._last_read

    def horizon(self, now: datetime, account_widest: float | None) -> datetime:
        """The latest expiry that can warn at `now`: now + the widest threshold that may apply,
        the policy's or an account's own (`Catalog.widest_warn_threshold`, in seconds). A wider
        bound only reads a few more rows, which the thresholds of each credential then judge;
        a narrower one would miss warnings.

        Why the accounts' widest is asked of SQLite on every check rather than cached or
        computed from loaded accounts: it is one aggregate over the accounts table, which holds
        a handful of rows next to thousands of tokens, and it loads none of them; a cache would
        need to learn of every settings edit, including those another TokenDeck process makes
        to the same catalog, and a stale cache is a missed warning."""
        return warn_horizon(self.policy, now, account_widest)

    async def run(self, interval: float = 15.0) -> None:
        while True:
            try:
                await self.check()
            except Exception:  # the watcher must survive a bad row or a busy database
                log.exception("expiry check failed")
            await asyncio.sleep(interval)
