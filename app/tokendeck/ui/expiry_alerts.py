"""What an expiry warning or a failed auto-refresh says, sent through the Notifier (no tray)."""

from __future__ import annotations

import asyncio
import logging

from tokendeck.core.clock import Clock
from tokendeck.core.timefmt import format_duration
from tokendeck.services.events import ExpiryWarning
from tokendeck.ui.notifier import Notifier

log = logging.getLogger(__name__)


class ExpiryAlerts:
    def __init__(self, notifier: Notifier, clock: Clock) -> None:
        self._notifier = notifier
        self._clock = clock
        self._tasks: set[asyncio.Task[None]] = set()

    def on_warning(self, warning: ExpiryWarning) -> None:
        label = warning.credential.label
        if warning.expired:
            title, text = f"“{label}” has expired", "Renew or replace it: calls with it now fail."
        else:
            left = warning.expires_at - self._clock.now()
            title = f"“{label}” expires in {format_duration(left)}"
            text = f"Warning threshold: {format_duration(warning.threshold)} before expiry."
        self._send(title, text, critical=warning.expired)

    def on_refresh_failed(self, account_name: str, message: str) -> None:
        self._send(f"Could not refresh “{account_name}”", message[:300], critical=True)

    def _send(self, title: str, text: str, *, critical: bool) -> None:
        task = asyncio.ensure_future(self._notify(title, text, critical))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self, title: str, text: str, critical: bool) -> None:
        route = await self._notifier.notify(title, text, critical=critical)
        log.info("notification (%s): %s", route, title)
