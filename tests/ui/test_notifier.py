"""The notification chain (ui/notifier.py) route by route, with the desktop's service replaced by
a recording stand-in: the desktop first, with an Open that opens what the notice is about; the
tray's balloon when the desktop has no service or it fails; the window's status bar last. The
desktop route against a real notification daemon is tests/ui/test_desktop_notifications.py."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from tests.ui.visible import until
from tokendeck.core.clock import ManualClock
from tokendeck.core.models import Credential, CredentialKind
from tokendeck.services.events import ExpiryWarning, RefreshFailed
from tokendeck.services.notices import Notice
from tokendeck.ui.expiry_alerts import ExpiryAlerts
from tokendeck.ui.notifier import DesktopNotifications, Notifier


@dataclass
class Desktop:
    """A stand-in for the desktop's notification service."""

    running: bool = True
    takes: bool = True
    fails: bool = False
    sent: list[tuple[Notice, Callable[[], None]]] = field(default_factory=list)

    async def available(self) -> bool:
        return self.running

    async def send(self, notice: Notice, open_it: Callable[[], None]) -> bool:
        if self.fails:
            raise ConnectionResetError("the service went away")
        self.sent.append((notice, open_it))
        return self.takes


@dataclass
class FakeTray:
    balloons: bool = True
    shown: list[tuple[str, str, str]] = field(default_factory=list)

    def shows_messages(self) -> bool:
        return self.balloons

    def notify(self, title: str, text: str, credential_id: str, *, critical: bool = False) -> None:
        self.shown.append((title, text, credential_id))


NOTICE = Notice("“CI key” expires in 50 min", "Replace it before then.", "cred-1")


def _route(desktop: Desktop, tray: FakeTray | None) -> tuple[str, list[str], list[str]]:
    window: list[str] = []
    opened: list[str] = []
    notifier = Notifier(window.append, opened.append, tray=tray, desktop=desktop)  # type: ignore[arg-type]
    route = asyncio.run(notifier.notify(NOTICE))
    return route, window, opened


def test_the_desktop_first_and_its_open_opens_the_credential() -> None:
    desktop = Desktop()
    tray = FakeTray()
    route, window, opened = _route(desktop, tray)
    assert (route, window, tray.shown) == ("desktop", [], [])
    [(notice, open_it)] = desktop.sent
    assert notice == NOTICE
    open_it()
    assert opened == ["cred-1"]


def test_no_service_or_a_failing_one_falls_to_the_tray_then_the_window() -> None:
    for desktop in (Desktop(running=False), Desktop(fails=True), Desktop(takes=False)):
        tray = FakeTray()
        route, window, _ = _route(desktop, tray)
        assert (route, window) == ("tray", [])
        assert tray.shown == [(NOTICE.title, NOTICE.text, "cred-1")]
        route, window, _ = _route(desktop, FakeTray(balloons=False))
        assert (route, window) == ("window", [f"{NOTICE.title} — {NOTICE.text}"])
        route, window, _ = _route(desktop, None)
        assert route == "window"


def test_without_a_session_bus_the_desktop_route_is_not_available(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    assert asyncio.run(DesktopNotifications().available()) is False


def test_alerts_say_what_expires_and_when() -> None:
    shown: list[str] = []
    clock = ManualClock()
    alerts = ExpiryAlerts(
        Notifier(shown.append, lambda _: None, desktop=Desktop(running=False)), clock.now
    )
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
