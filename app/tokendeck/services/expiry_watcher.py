"""Warn before credentials expire: each threshold fires once per credential, remembered in the
catalog across restarts. `check()` is pure bookkeeping over an injected clock; `run()` loops it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from tokendeck.core.clock import Clock
from tokendeck.core.models import CredentialState
from tokendeck.core.verdict import State, urgency
from tokendeck.services.events import EventBus, ExpirySummary, ExpiryWarning
from tokendeck.services.standing import ExpiryPolicy, HeldCredential, held_credentials
from tokendeck.storage.catalog import AsyncCatalog, Catalog

log = logging.getLogger(__name__)


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

    async def check(self) -> list[ExpiryWarning]:
        """Fire what is due now: only the tightest threshold crossed, the wider ones are marked.
        One warning is published as it is; several at once become one `ExpirySummary`."""
        now = self._clock.now()
        fired_before = await self._catalog.run(Catalog.fired_all, self._catalog.sync)
        fired: list[ExpiryWarning] = []
        marks: list[tuple[str, int]] = []
        for held in await held_credentials(self._catalog, self.policy):
            credential = held.credential
            if not held.person_replaces or credential.expires_at is None:
                continue
            if credential.state is CredentialState.REVOKED:
                continue
            remaining = credential.expires_at - now
            due = [t for t in held.thresholds if remaining <= t]
            if remaining <= timedelta(0):
                due.append(timedelta(0))
            if not due:
                continue
            already = fired_before.get(credential.id, set())
            new = [t for t in due if int(t.total_seconds()) not in already]
            if not new:
                continue
            marks += [(credential.id, int(t.total_seconds())) for t in new]
            fired.append(
                ExpiryWarning(
                    credential,
                    min(new),
                    credential.expires_at,
                    expired=remaining <= timedelta(0),
                )
            )
        await self._catalog.run(Catalog.mark_fired_many, self._catalog.sync, marks)
        if len(fired) == 1:
            self._bus.publish(fired[0])
        elif fired:
            self._bus.publish(ExpirySummary(tuple(fired)))
        return fired

    async def run(self, interval: float = 15.0) -> None:
        while True:
            try:
                await self.check()
            except Exception:  # the watcher must survive a bad row or a busy database
                log.exception("expiry check failed")
            await asyncio.sleep(interval)


def worst_state(held: Sequence[HeldCredential], now: datetime) -> tuple[str, HeldCredential | None]:
    """('expired' | 'warning' | 'ok', the credential that most needs a person) for the tray icon.

    Only verdicts that need a person count: a session TokenDeck renews is never a warning."""
    judged = [(h, h.verdict(now)) for h in held]
    needing = [(h, v) for h, v in judged if v.needs_person]
    if not needing:
        return "ok", None
    h, v = min(needing, key=lambda hv: urgency(hv[1]))
    return ("warning" if v.state is State.ACT_SOON else "expired"), h
