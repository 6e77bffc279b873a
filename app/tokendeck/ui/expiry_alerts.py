"""Expiry warnings, summaries and failed renewals as notices, sent through the Notifier (the
desktop's notifications, else the tray's balloon, else the status bar)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from tokendeck.services.events import ExpirySummary, ExpiryWarning, RefreshFailed
from tokendeck.services.notices import (
    Notice,
    refresh_failed_notice,
    summary_notice,
    warning_notice,
)
from tokendeck.ui.notifier import Notifier
from tokendeck.ui.task_runner import TaskRunner

log = logging.getLogger(__name__)


class ExpiryAlerts:
    def __init__(self, notifier: Notifier, now: Callable[[], datetime]) -> None:
        self._notifier = notifier
        self._now = now
        self._runner = TaskRunner()  # no banner: a failure to notify is logged

    def on_warning(self, warning: ExpiryWarning) -> None:
        self._send(warning_notice(warning, self._now()))

    def on_summary(self, summary: ExpirySummary) -> None:
        self._send(summary_notice(summary, self._now()))

    def on_refresh_failed(self, event: RefreshFailed) -> None:
        self._send(refresh_failed_notice(event))

    def _send(self, notice: Notice) -> None:
        self._runner.quietly("Notifying", self._notify(notice), replace=False)

    async def _notify(self, notice: Notice) -> None:
        route = await self._notifier.notify(notice)
        log.info("notification (%s): %s", route, notice.title)
