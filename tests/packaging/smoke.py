"""One smoke run of an installed TokenDeck on the real desktop of scripts/desktop-session: the
window shows, the tray icon is embedded, the Secret Service is reached, Ctrl+Q quits cleanly."""

from __future__ import annotations

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
from tests.tokens import hs256

KEYRING_REACHED = "secret store: System keyring (SecretService)"


def seconds_to_window(command: Sequence[str], profile: Path) -> float:
    """Run the whole smoke; give the time from exec to the window on the display."""
    need_desktop("xdotool", "xwininfo", "trayer")
    need_secret_service()
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
