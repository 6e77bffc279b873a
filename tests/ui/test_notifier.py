"""Without a tray, notifications go to the desktop's notification service if one runs (the test
session has none), else to the window. The D-Bus route itself is not exercised here."""

from __future__ import annotations

import asyncio

from tests.ui.visible import until
from tokendeck.core.clock import ManualClock
from tokendeck.core.models import Credential, CredentialKind
from tokendeck.services.events import ExpiryWarning, RefreshFailed
from tokendeck.ui.expiry_alerts import ExpiryAlerts
from tokendeck.ui.notifier import Notifier


def test_no_service_falls_back_to_the_window() -> None:
    shown: list[str] = []
    route = asyncio.run(Notifier(shown.append).notify("only", "here"))
    assert route == "window"
    assert shown == ["only — here"]


def test_alerts_say_what_expires_and_when() -> None:
    shown: list[str] = []
    clock = ManualClock()
    alerts = ExpiryAlerts(Notifier(shown.append), clock.now)
    from datetime import timedelta

    credential = Credential(id="c", kind=CredentialKind.API_KEY, label="CI key")

    async def run() -> None:
        alerts.on_warning(
            ExpiryWarning(
                credential, timedelta(hours=1), clock.now() + timedelta(minutes=50), expired=False
            )
        )
        alerts.on_refresh_failed(
            RefreshFailed("a1", "Dataloop prod", "Refresh: the platform had an internal error.")
        )
        await until(lambda: len(shown) == 2, "both notifications shown", timeout=10)

    asyncio.run(run())
    assert sorted(shown) == [
        "Could not renew “Dataloop prod” — Refresh: the platform had an internal error. "
        "TokenDeck keeps retrying quietly; sign in again if it goes on.",
        "“CI key” expires in 50 min — Replace it before then (warning set 1 h before expiry).",
    ]
