"""Desktop notifications with a fallback chain, each one opening what it is about.

1. The desktop's own notifications through desktop-notifier: the freedesktop notification
   service on Linux (only when one runs: never D-Bus activation, which can hang or start a
   service the session does not want), toast notifications on Windows, the notification centre
   on macOS. Each has an "Open" button, and a click on it opens the same.
2. else the tray's balloon (Qt draws one on Linux when no service runs), whose click opens it;
3. else a message in the window's status bar.

What "open" shows: the window on the Tokens tab with the credential selected, or the window
alone for a notice about an account (a renewal that fails).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tokendeck import APP_NAME
from tokendeck.services.notices import Notice

if TYPE_CHECKING:
    from tokendeck.ui.tray import Tray

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.Notifications"
EXPIRE_SECONDS = 10
SEND_TIMEOUT = 5.0  # for the desktop's service to take a notification
OPEN = "Open"
_FREEDESKTOP = sys.platform not in ("win32", "darwin")

OpenNotice = Callable[[str], None]
"""Opens what a notice is about: its credential id, or "" for the window alone."""


class DesktopRoute(Protocol):
    async def available(self) -> bool: ...

    async def send(self, notice: Notice, open_it: Callable[[], None]) -> bool:
        """Show `notice`; whether the desktop took it."""
        ...


class DesktopNotifications:
    """desktop-notifier, made on first use (its D-Bus library loads then, not at start-up)."""

    def __init__(self) -> None:
        self._notifier: Any = None

    async def available(self) -> bool:
        if not _FREEDESKTOP:
            return _native_centre()
        try:
            return await asyncio.to_thread(_service_running)
        except Exception as exc:  # no session bus at all
            log.debug("no session bus for notifications: %s", type(exc).__name__)
            return False

    async def send(self, notice: Notice, open_it: Callable[[], None]) -> bool:
        from desktop_notifier import Button, DesktopNotifier, Icon, Urgency

        from tokendeck.ui.icons import resource_path

        if self._notifier is None:
            self._notifier = DesktopNotifier(
                app_name=APP_NAME, app_icon=Icon(path=Path(resource_path("tokendeck-64.png")))
            )
        dispatched: list[bool] = []
        await asyncio.wait_for(
            self._notifier.send(
                notice.title,
                notice.text,
                urgency=Urgency.Critical if notice.critical else Urgency.Normal,
                buttons=[Button(title=OPEN, on_pressed=open_it)],
                on_clicked=open_it,
                on_dispatched=lambda: dispatched.append(True),
                timeout=EXPIRE_SECONDS,
            ),
            SEND_TIMEOUT,
        )
        return bool(dispatched)  # desktop-notifier logs a failure and does not raise it


class Notifier:
    """Sends each notice by the first route that works (see the module text)."""

    def __init__(
        self,
        window_message: Callable[[str], None],
        open_notice: OpenNotice,
        *,
        tray: Tray | None = None,
        desktop: DesktopRoute | None = None,
    ) -> None:
        self._window_message = window_message
        self._open = open_notice
        self._tray = tray
        self._desktop: DesktopRoute = desktop if desktop is not None else DesktopNotifications()

    async def notify(self, notice: Notice) -> str:
        """Show `notice`; returns the route taken ("desktop", "tray" or "window")."""
        try:
            if await self._desktop.available() and await self._desktop.send(
                notice, lambda: self._opened(notice)
            ):
                return "desktop"
        except Exception as exc:  # the service went away, or did not answer in time
            log.info("desktop notification failed (%s): the next route", type(exc).__name__)
        tray = self._tray
        if tray is not None and tray.shows_messages():
            tray.notify(notice.title, notice.text, notice.credential_id, critical=notice.critical)
            return "tray"
        self._window_message(f"{notice.title} — {notice.text}")
        return "window"

    def _opened(self, notice: Notice) -> None:
        log.info("notification opened: %s", notice.title)
        self._open(notice.credential_id)


@functools.cache
def _native_centre() -> bool:
    """Windows' and macOS' own notification centres; not desktop-notifier's stand-in that shows
    nothing (macOS outside an app bundle, e.g. a pipx install)."""
    from desktop_notifier.main import get_backend_class

    return get_backend_class().__name__ != "DummyNotificationCenter"


def _service_running() -> bool:
    """Whether a notification service owns its name on the session bus now (one short
    round trip with a 2 s timeout)."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus = DBusAddress(
        "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
    )
    with open_dbus_connection(bus="SESSION") as connection:
        reply = connection.send_and_get_reply(
            new_method_call(bus, "NameHasOwner", "s", (SERVICE,)), timeout=2
        )
    return bool(reply.body and reply.body[0])
