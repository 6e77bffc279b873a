"""Desktop notifications with a fallback chain.

1. The tray's balloon, whose click opens the credential (shown by `TrayStatus` when a tray exists);
2. else the desktop's notification service (`org.freedesktop.Notifications`, only if running),
   called on a worker thread;
3. else a message in the window's status bar.

The D-Bus call goes through jeepney (pure-Python D-Bus, already a dependency of keyring's Secret
Service backend): `Notify` needs exact D-Bus types (a uint32 replaces_id) that PySide's QtDBus
cannot express. Known gap: the desktop notification has no "Open" action yet (only the tray
balloon's click opens the credential).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from tokendeck import APP_NAME

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
EXPIRE_MS = 10_000


class Notifier:
    """Used when there is no tray (with a tray, `TrayStatus` shows balloons)."""

    def __init__(self, fallback: Callable[[str], None]) -> None:
        self._fallback = fallback

    async def notify(self, title: str, text: str, *, critical: bool = False) -> str:
        """Show it by the first route that works; returns the route taken."""
        try:
            await asyncio.to_thread(_send_notify, title, text, critical)
        except Exception as exc:  # no service, or it refused: the next route
            log.debug("no desktop notification service: %s", type(exc).__name__)
        else:
            return "desktop"
        self._fallback(f"{title} — {text}")
        return "window"


def _send_notify(title: str, text: str, critical: bool) -> int:
    """One `Notify` call on the session bus; returns the notification id. A short local D-Bus
    round trip with a 2 s timeout; raises when no service owns the name."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    address = DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE)
    hints = {"urgency": ("y", 2 if critical else 1), "desktop-entry": ("s", "tokendeck")}
    message = new_method_call(
        address,
        "Notify",
        "susssasa{sv}i",
        (APP_NAME, 0, "tokendeck", title, text, [], hints, EXPIRE_MS),
    )
    with open_dbus_connection(bus="SESSION") as connection:
        if not _has_owner(connection, SERVICE):
            raise LookupError("no notification service is running")
        reply = connection.send_and_get_reply(message, timeout=2)
    if reply.header.message_type.name == "error":
        raise RuntimeError(str(reply.body[0]) if reply.body else "D-Bus error")
    return int(reply.body[0])


def _has_owner(connection: Any, name: str) -> bool:
    """Only a running service is used: never D-Bus activation, which can hang or crash."""
    from jeepney import DBusAddress, new_method_call

    bus = DBusAddress(
        "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
    )
    reply = connection.send_and_get_reply(
        new_method_call(bus, "NameHasOwner", "s", (name,)), timeout=2
    )
    return bool(reply.body and reply.body[0])
