"""One smoke run of an installed TokenDeck on the real desktop of scripts/desktop-session: the
window shows, the tray icon is embedded, the Secret Service is reached, a token about to expire
is announced through a real notification daemon, Ctrl+Q quits cleanly."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from tests.conftest import need_desktop, need_secret_service
from tests.e2e.desktop import (
    launch,
    press,
    tray_icon_embedded,
    unexpected_stderr,
    wait_for_window,
    wait_until,
)
from tests.notification_daemon import dunstctl, running_dunst
from tests.prompts import KeyringOnly
from tests.tokens import hs256
from tokendeck.core.secret import Secret
from tokendeck.services.app_services import AppServices

KEYRING_REACHED = "secret store: System keyring (SecretService)"
EXPIRING = "CI deploy token"


async def _keep_an_expiring_token(profile: Path) -> None:
    services = await AppServices.start(
        profile / "catalog.sqlite3", profile / "vault.tdvault", KeyringOnly()
    )
    try:
        token, _ = hs256({"sub": "ci-bot", "iat": int(time.time()), "exp": int(time.time()) + 300})
        await services.tokens.track(EXPIRING, Secret(token))
    finally:
        await services.aclose()


def seconds_to_window(command: Sequence[str], profile: Path) -> float:
    """Run the whole smoke; give the time from exec to the window on the display."""
    need_desktop("xdotool", "xwininfo", "trayer")
    need_secret_service()
    asyncio.run(_keep_an_expiring_token(profile))
    with running_dunst(profile.parent):
        return _run(command, profile)


def _run(command: Sequence[str], profile: Path) -> float:
    started = time.monotonic()
    app = launch(profile, command=command)
    try:
        window = wait_for_window(timeout=40)
        shown = time.monotonic() - started
        wait_until(tray_icon_embedded, "the tray icon embedded in trayer's panel", 15)
        log = profile / "logs" / "tokendeck.log"
        wait_until(
            lambda: log.exists() and KEYRING_REACHED in log.read_text(),
            "the Secret Service reached (the log names it)",
            20,
        )
        wait_until(
            lambda: f"notification (desktop): “{EXPIRING}” expires in" in log.read_text(),
            "the expiring token announced through the notification daemon",
            20,
        )
        assert dunstctl("count", "displayed") == "1"
        press(window, "ctrl+q")
        code, err = app.stop()
        assert code == 0, err
        assert unexpected_stderr(err) == []
        text = log.read_text()
        assert "window shown (tray: yes)" in text
        assert "TokenDeck stopped" in text
        assert "Traceback" not in text
        return shown
    finally:
        app.kill()


def check_commands(command: Sequence[str], version: str) -> None:
    """`--version` and `inspect` (reading a token from stdin) of an installed TokenDeck."""
    done = subprocess.run(
        [*command, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, f"TokenDeck {version}"), done.stderr
    token, _ = hs256({"sub": "packaging-smoke", "exp": 4102444800})
    done = subprocess.run(
        [*command, "inspect", "-"],
        input=token,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "packaging-smoke" in done.stdout
    assert "2100-01-01" in done.stdout
