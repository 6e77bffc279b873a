"""Helpers for end-to-end tests: start the real `tokendeck` process and find it on the X display."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from tokendeck.exit_codes import EXIT_QUIT_STUCK

T = TypeVar("T")

# Lines the real desktop stack may print that are not TokenDeck's problems.
EXPECTED_STDERR = ("XGetInputFocus returned the focused window",)


@dataclass
class RunningApp:
    process: subprocess.Popen[str]
    profile: Path

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()

    def stop(self, timeout: float = 15) -> tuple[int, str]:
        """Wait for the process to end; a quit that hangs or is cut short by the watchdog
        fails with the app's log (where the watchdog wrote every thread's stack)."""
        try:
            _, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
            raise AssertionError(
                f"tokendeck did not exit in {timeout}s; stderr:\n{err}\n{self.log_tail()}"
            ) from None
        if self.process.returncode == EXIT_QUIT_STUCK:
            raise AssertionError(f"tokendeck's quit was cut short:\n{err}\n{self.log_tail()}")
        return self.process.returncode, err

    def log_tail(self, lines: int = 80) -> str:
        log = self.profile / "logs" / "tokendeck.log"
        text = log.read_text(errors="replace") if log.exists() else "(no log)"
        return "the app's log, last lines:\n" + "\n".join(text.splitlines()[-lines:])


def launch(profile: Path, *args: str, command: Sequence[str] | None = None) -> RunningApp:
    """Start TokenDeck (this checkout's, or `command`: an installed one) on `profile`."""
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)
    program = list(command) if command is not None else [sys.executable, "-m", "tokendeck"]
    process = subprocess.Popen(
        [*program, "--profile", str(profile), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    return RunningApp(process, profile)


def xdotool(*args: str) -> str:
    done = subprocess.run(
        ["xdotool", *args], capture_output=True, text=True, timeout=10, check=False
    )
    return done.stdout.strip()


def wait_until(condition: Callable[[], T], what: str, timeout: float = 20) -> T:
    """Poll `condition` (another process changes the desktop) until it holds; give its value."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout}s")
        time.sleep(0.1)
    return value


def wait_for_window(name: str = "^TokenDeck$", timeout: float = 20) -> int:
    found = wait_until(
        lambda: xdotool("search", "--onlyvisible", "--name", name),
        f"a visible window named {name!r}",
        timeout,
    )
    return int(found.splitlines()[0])


def viewable(window: int) -> bool:
    """Mapped and viewable on the X server (what a screenshot would show)."""
    info = subprocess.run(
        ["xwininfo", "-id", str(window)], capture_output=True, text=True, timeout=10, check=False
    ).stdout
    return "Map State: IsViewable" in info


def window_tree() -> str:
    return subprocess.run(
        ["xwininfo", "-root", "-tree"], capture_output=True, text=True, timeout=10, check=True
    ).stdout


def tray_icon_embedded(app_class: str = '"tokendeck" "TokenDeck"') -> bool:
    """True when a TokenDeck window sits inside trayer's panel (the XEmbed tray icon)."""
    tree = window_tree().splitlines()
    in_panel = False
    panel_indent = 0
    for line in tree:
        indent = len(line) - len(line.lstrip())
        if '"panel": ("panel" "trayer")' in line:
            in_panel, panel_indent = True, indent
            continue
        if in_panel and indent <= panel_indent:
            in_panel = False
        if in_panel and app_class in line:
            return True
    return False


def press(window: int, keys: str) -> None:
    xdotool("windowfocus", "--sync", str(window), "key", "--clearmodifiers", keys)


def unexpected_stderr(err: str) -> list[str]:
    return [
        line
        for line in err.splitlines()
        if line.strip() and not any(ok in line for ok in EXPECTED_STDERR)
    ]
