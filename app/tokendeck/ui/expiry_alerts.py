"""Notices sent through the Notifier when there is no tray (desktop service or status bar)."""

from __future__ import annotations

import asyncio
import logging

from tokendeck.core.clock import Clock
from tokendeck.services.events import ExpirySummary, ExpiryWarning, RefreshFailed
from tokendeck.services.notices import (
    Notice,
    refresh_failed_notice,
    summary_notice,
    warning_notice,
)
from tokendeck.ui.notifier import Notifier

log = logging.getLogger(__name__)


class ExpiryAlerts:
    def __init__(self, notifier: Notifier, clock: Clock) -> None:
        self._notifier = notifier
        self._clock = clock
        self._tasks: set[asyncio.Task[None]] = set()

    def on_warning(self, warning: ExpiryWarning) -> None:
        self._send(warning_notice(warning, self._clock.now()))

    def on_summary(self, summary: ExpirySummary) -> None:
        self._send(summary_notice(summary, self._clock.now()))

    def on_refresh_failed(self, event: RefreshFailed) -> None:
        self._send(refresh_failed_notice(event))

    def _send(self, notice: Notice) -> None:
        task = asyncio.ensure_future(self._notify(notice))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self, notice: Notice) -> None:
        route = await self._notifier.notify(notice.title, notice.text, critical=notice.critical)
        log.info("notification (%s): %s", route, notice.title)
