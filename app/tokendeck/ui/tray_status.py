"""Keeps the tray in step with the credentials: icon for the worst expiry, tooltip, next
expiries in the menu, and a notification for each expiry warning."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from tokendeck.core.timefmt import countdown, format_duration
from tokendeck.services.app_services import AppServices
from tokendeck.services.events import ExpiryWarning
from tokendeck.services.expiry_watcher import worst_state
from tokendeck.ui.icons import TrayState
from tokendeck.ui.tray import Tray

log = logging.getLogger(__name__)
SOON = timedelta(days=1)
REFRESH_EVERY = 30


class TrayStatus:
    def __init__(self, tray: Tray, services: AppServices) -> None:
        self._tray = tray
        self._services = services
        self._ticks = 0
        self._task: asyncio.Task[None] | None = None

    def refresh(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._refresh())

    async def _refresh(self) -> None:
        held = await self._services.tokens.held()
        clock = self._services.clock
        state, nxt = worst_state(held, clock, SOON)
        now = clock.now()
        if nxt is None or nxt.expires_at is None:
            tooltip = "TokenDeck: nothing expires"
        else:
            tooltip = f"TokenDeck: next expiry “{nxt.label}” {countdown(nxt.expires_at, now)}"
        self._tray.set_state(TrayState(state), tooltip)
        upcoming = sorted(
            (c for c in held if c.expires_at is not None), key=lambda c: c.expires_at or now
        )[:5]
        self._tray.set_next_expiries(
            [
                (f"{c.label} — {countdown(c.expires_at, now)}", c.id)
                for c in upcoming
                if c.expires_at
            ]
        )
        self._tray.set_pinned(await self.pinned())

    def on_tick(self, now: datetime) -> None:
        self._ticks += 1
        if self._ticks % REFRESH_EVERY == 0:
            self.refresh()

    def on_refresh_failed(self, account_name: str, message: str) -> None:
        log.info("notification: auto-refresh of %s failed", account_name)
        self._tray.notify(f"Could not refresh “{account_name}”", message[:300], "", critical=True)

    async def pinned(self) -> list[tuple[str, str]]:
        return [
            (a.name, a.id)
            for a in await self._services.accounts.all_accounts()
            if a.settings.get("pinned")
        ]

    def on_warning(self, warning: ExpiryWarning) -> None:
        label = warning.credential.label
        if warning.expired:
            title, text = f"“{label}” has expired", "Renew or replace it: calls with it now fail."
        else:
            left = warning.expires_at - self._services.clock.now()
            title = f"“{label}” expires in {format_duration(left)}"
            text = f"Warning threshold: {format_duration(warning.threshold)} before expiry."
        log.info("notification: %s", title)
        self._tray.notify(title, text, warning.credential.id, critical=warning.expired)
        self.refresh()
