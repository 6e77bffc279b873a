"""What an expiry warning or a failed auto-refresh says, sent through the Notifier."""

from __future__ import annotations

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

    def on_warning(self, warning: ExpiryWarning) -> str:
        label = warning.credential.label
        if warning.expired:
            title, text = f"“{label}” has expired", "Renew or replace it: calls with it now fail."
        else:
            left = warning.expires_at - self._clock.now()
            title = f"“{label}” expires in {format_duration(left)}"
            text = f"Warning threshold: {format_duration(warning.threshold)} before expiry."
        route = self._notifier.notify(title, text, warning.credential.id, critical=warning.expired)
        log.info("notification (%s): %s", route, title)
        return route

    def on_refresh_failed(self, account_name: str, message: str) -> str:
        title = f"Could not refresh “{account_name}”"
        route = self._notifier.notify(title, message[:300], critical=True)
        log.info("notification (%s): auto-refresh of %s failed", route, account_name)
        return route
