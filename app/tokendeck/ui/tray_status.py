"""Keeps the tray in step with the credentials: icon for the worst expiry, tooltip, next
expiries in the menu. (Notifications are the Notifier's: ui/expiry_alerts.py.)"""

from __future__ import annotations

import logging
from datetime import datetime

from tokendeck.core.timefmt import countdown
from tokendeck.services.door import Door
from tokendeck.services.standing import next_expiries, worst_state
from tokendeck.ui.icons import TrayState
from tokendeck.ui.task_runner import TaskRunner
from tokendeck.ui.tray import Tray

log = logging.getLogger(__name__)
REFRESH_EVERY = 30
NEXT_EXPIRIES = 5


class TrayStatus:
    """The icon shows the worst credential that needs a person; the menu lists the next
    expiries of what a person must replace (sessions TokenDeck renews are left out)."""

    def __init__(self, tray: Tray, door: Door) -> None:
        self._tray = tray
        self._door = door
        self._ticks = 0
        self._runner = TaskRunner()  # no banner: a failure is logged, the next refresh retries

    def refresh(self) -> None:
        self._runner.quietly("Updating the tray", self._refresh())

    async def _refresh(self) -> None:
        now = self._door.now()
        held = await self._door.attention(now, NEXT_EXPIRIES)
        state, worst = worst_state(held, now)
        if worst is None:
            tooltip = "TokenDeck: nothing needs you"
        else:
            verdict = worst.verdict(now)
            tooltip = f"TokenDeck: “{worst.credential.label}” {verdict.text}"
            if verdict.counts_down and verdict.expires_at is not None:
                tooltip += f" ({countdown(verdict.expires_at, now)})"
        self._tray.set_state(TrayState(state), tooltip)
        self._tray.set_next_expiries(
            [
                (
                    f"{h.credential.label} — {countdown(h.credential.expires_at, now)}",
                    h.credential.id,
                )
                for h in next_expiries(held, now, NEXT_EXPIRIES)
                if h.credential.expires_at
            ]
        )
        self._tray.set_pinned(await self.pinned())

    def on_tick(self, now: datetime) -> None:
        self._ticks += 1
        if self._ticks % REFRESH_EVERY == 0:
            self.refresh()

    async def pinned(self) -> list[tuple[str, str]]:
        return await self._door.pinned_accounts()
