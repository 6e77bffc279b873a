"""Warn before credentials expire: each threshold fires once per credential, remembered in the
catalog across restarts. `check()` is pure bookkeeping over an injected clock; `run()` loops it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta

from tokendeck.core.clock import Clock
from tokendeck.core.models import Credential, CredentialState
from tokendeck.services.events import EventBus, ExpiryWarning
from tokendeck.storage.catalog import AsyncCatalog, Catalog

log = logging.getLogger(__name__)

DEFAULT_THRESHOLDS: tuple[timedelta, ...] = (
    timedelta(days=7),
    timedelta(days=1),
    timedelta(hours=1),
    timedelta(minutes=10),
)
EXPIRED_MARK = 0


class ExpiryWatcher:
    def __init__(
        self,
        catalog: AsyncCatalog,
        bus: EventBus,
        clock: Clock,
        thresholds: Sequence[timedelta] = DEFAULT_THRESHOLDS,
    ) -> None:
        self._catalog = catalog
        self._bus = bus
        self._clock = clock
        self.thresholds = tuple(sorted(thresholds, reverse=True))

    async def check(self) -> list[ExpiryWarning]:
        """Fire what is due now: only the tightest threshold crossed, the wider ones are marked."""
        now = self._clock.now()
        fired: list[ExpiryWarning] = []
        credentials = await self._catalog.run(Catalog.list_credentials, self._catalog.sync)
        overrides = {
            a.id: tuple(timedelta(seconds=int(x)) for x in a.settings["warn_thresholds"])
            for a in await self._catalog.run(Catalog.list_accounts, self._catalog.sync)
            if a.settings.get("warn_thresholds")
        }
        for credential in credentials:
            if credential.expires_at is None or credential.state is CredentialState.REVOKED:
                continue
            remaining = credential.expires_at - now
            thresholds = overrides.get(credential.account_id or "", self.thresholds)
            due = [t for t in thresholds if remaining <= t]
            if remaining <= timedelta(0):
                due.append(timedelta(0))
            if not due:
                continue
            already = await self._catalog.run(
                Catalog.fired_thresholds, self._catalog.sync, credential.id
            )
            new = [t for t in due if int(t.total_seconds()) not in already]
            for threshold in new:
                await self._catalog.run(
                    Catalog.mark_fired,
                    self._catalog.sync,
                    credential.id,
                    int(threshold.total_seconds()),
                )
            if new:
                tightest = min(new)
                warning = ExpiryWarning(
                    credential, tightest, credential.expires_at, expired=remaining <= timedelta(0)
                )
                fired.append(warning)
                self._bus.publish(warning)
        return fired

    async def run(self, interval: float = 15.0) -> None:
        while True:
            try:
                await self.check()
            except Exception:  # the watcher must survive a bad row or a busy database
                log.exception("expiry check failed")
            await asyncio.sleep(interval)


def worst_state(
    credentials: Sequence[Credential], clock: Clock, soon: timedelta
) -> tuple[str, Credential | None]:
    """('expired' | 'warning' | 'ok', the credential expiring next) for the tray icon."""
    now = clock.now()
    live = [
        c
        for c in credentials
        if c.expires_at is not None and c.state is not CredentialState.REVOKED
    ]
    if not live:
        return "ok", None
    nxt = min(live, key=lambda c: c.expires_at or now)
    if any((c.expires_at or now) <= now for c in live):
        return "expired", nxt
    if (nxt.expires_at or now) - now <= soon:
        return "warning", nxt
    return "ok", nxt
