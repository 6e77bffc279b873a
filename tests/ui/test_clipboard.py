"""Copying a secret, on the real X clipboard (read back with xclip): it goes to the clipboard and
the primary selection with the "keep out of history" hint, counts down once a second, and is
cleared when the countdown ends, on demand and when TokenDeck quits, but only where it is still
ours: what the user copied since is never wiped.

The countdown is driven by hand (the guard's timer is stopped and its timeout emitted), so no test
races a real second; waits are on conditions, never sleeps."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator

import pytest
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.conftest import need_desktop, need_secret_service
from tokendeck.app_logging import HeldLog
from tokendeck.core.secret import Secret
from tokendeck.storage.profile import Profile
from tokendeck.ui.clipboard import DEFAULT_TIMEOUT_SECONDS, KDE_HINT, ClipboardGuard

SECRET = Secret("tdtest-clipboard-secret-0123456789")
USERS_TEXT = "the user's own text"


async def until(condition: Callable[[], object], what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not met in time")
        await asyncio.sleep(0.02)


class Guarded:
    """A guard whose countdown is driven by hand, and what it signalled."""

    def __init__(self, timeout_seconds: int) -> None:
        self.guard = ClipboardGuard(timeout_seconds)
        timers = self.guard.findChildren(QTimer)
        assert len(timers) == 1
        self.timer = timers[0]
        self.countdown: list[tuple[int, str]] = []
        self.cleared: list[str] = []
        self.guard.countdown.connect(lambda left, label: self.countdown.append((left, label)))
        self.guard.cleared.connect(self.cleared.append)

    def copy(self, secret: Secret = SECRET, label: str = "CI key") -> None:
        self.guard.copy_secret(secret, label)
        assert self.timer.isActive() and self.timer.interval() == 1000, "ticks once a second"
        self.timer.stop()  # from here the test ticks

    def tick(self, times: int = 1) -> None:
        for _ in range(times):
            self.timer.timeout.emit()


@pytest.fixture
def guarded(qapp: QApplication) -> Iterator[Callable[[int], Guarded]]:
    made: list[Guarded] = []

    def make(timeout_seconds: int = 3) -> Guarded:
        need_desktop("xclip")
        made.append(Guarded(timeout_seconds))
        return made[-1]

    yield make
    for g in made:
        g.guard.clear("test end")
        g.guard.deleteLater()


async def read(selection: str = "clipboard", target: str | None = None) -> str:
    """xclip's read of `selection`, in a worker thread while this process's loop answers it."""
    args = ["xclip", "-o", "-selection", selection] + (["-t", target] if target else [])

    def reading() -> str:
        return subprocess.run(args, capture_output=True, text=True, timeout=10, check=False).stdout

    return await asyncio.to_thread(reading)


@pytest.fixture
def user_copies() -> Iterator[Callable[[str], Awaitable[None]]]:
    """Another program (xclip, in the foreground) takes a selection with the user's text."""
    serving: list[subprocess.Popen[str]] = []

    async def copy(selection: str) -> None:
        proc = subprocess.Popen(
            ["xclip", "-quiet", "-selection", selection],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        serving.append(proc)
        assert proc.stdin is not None
        proc.stdin.write(USERS_TEXT)
        proc.stdin.close()
        mode = QClipboard.Mode.Clipboard if selection == "clipboard" else QClipboard.Mode.Selection
        await until(lambda: QGuiApplication.clipboard().text(mode) == USERS_TEXT, "xclip owns it")

    yield copy
    for proc in serving:
        proc.kill()
        proc.wait()


def run(loop: asyncio.AbstractEventLoop, scenario: Coroutine[object, object, None]) -> None:
    loop.run_until_complete(asyncio.wait_for(scenario, 60))


def test_a_copy_goes_to_the_clipboard_and_the_selection_with_the_hint(
    qloop: asyncio.AbstractEventLoop, guarded: Callable[[int], Guarded]
) -> None:
    g = guarded(DEFAULT_TIMEOUT_SECONDS)

    async def scenario() -> None:
        g.copy()
        assert await read("clipboard") == SECRET.reveal()
        assert await read("primary") == SECRET.reveal()
        for selection in ("clipboard", "primary"):
            assert KDE_HINT in (await read(selection, "TARGETS")).split()
            assert await read(selection, KDE_HINT) == "secret"

    run(qloop, scenario())
    assert g.countdown == [(DEFAULT_TIMEOUT_SECONDS, "CI key")]
    assert (g.guard.active, g.guard.seconds_left) == (True, DEFAULT_TIMEOUT_SECONDS)
    assert g.guard.counting_down_for(Secret(SECRET.reveal()))
    assert not g.guard.counting_down_for(Secret("tdtest-another-secret"))
    assert g.guard.holds_our_secret()
    assert g.guard.holds_our_secret(QClipboard.Mode.Selection)
    assert g.cleared == []


def test_the_countdown_ticks_each_second_then_clears_both_selections(
    qloop: asyncio.AbstractEventLoop, guarded: Callable[[int], Guarded]
) -> None:
    g = guarded(3)

    async def scenario() -> None:
        g.copy()
        g.tick(2)
        assert g.countdown == [(3, "CI key"), (2, "CI key"), (1, "CI key")]
        assert (g.guard.active, g.guard.seconds_left, g.cleared) == (True, 1, [])
        assert await read("clipboard") == SECRET.reveal(), "still there at one second left"
        g.tick()
        assert g.cleared == ["timeout"]
        assert await read("clipboard") == ""
        assert await read("primary") == ""

    run(qloop, scenario())
    assert len(g.countdown) == 3, "no countdown at zero"
    assert (g.guard.active, g.guard.seconds_left, g.guard.wiped) == (False, 0, True)
    assert not g.timer.isActive()
    assert not g.guard.counting_down_for(SECRET)
    assert not g.guard.holds_our_secret()


def test_a_later_copy_by_the_user_is_never_wiped(
    qloop: asyncio.AbstractEventLoop,
    guarded: Callable[[int], Guarded],
    user_copies: Callable[[str], Awaitable[None]],
) -> None:
    g = guarded(2)

    async def scenario() -> None:
        g.copy()
        assert await read("clipboard") == SECRET.reveal()
        await user_copies("clipboard")
        assert not g.guard.holds_our_secret()
        g.tick(2)
        assert g.cleared == ["timeout"]
        assert await read("clipboard") == USERS_TEXT
        assert await read("primary") == "", "the selection still held the secret: cleared"

    run(qloop, scenario())
    assert g.guard.wiped is False, "the clipboard was left as it was"
    assert not g.guard.active


def test_a_later_selection_by_the_user_is_never_wiped(
    qloop: asyncio.AbstractEventLoop,
    guarded: Callable[[int], Guarded],
    user_copies: Callable[[str], Awaitable[None]],
) -> None:
    g = guarded(1)

    async def scenario() -> None:
        g.copy()
        await user_copies("primary")
        g.tick()
        assert await read("primary") == USERS_TEXT
        assert await read("clipboard") == ""

    run(qloop, scenario())
    assert g.cleared == ["timeout"]
    assert g.guard.wiped is True


def test_clear_now_stops_the_countdown_and_clears_both_selections(
    qloop: asyncio.AbstractEventLoop, guarded: Callable[[int], Guarded]
) -> None:
    g = guarded(20)

    async def scenario() -> None:
        g.copy()
        g.timer.start()  # the real countdown runs: clearing must stop it
        g.guard.clear("now")
        assert not g.timer.isActive()
        assert await read("clipboard") == ""
        assert await read("primary") == ""

    run(qloop, scenario())
    assert g.cleared == ["now"]
    assert (g.guard.active, g.guard.seconds_left, g.guard.wiped) == (False, 0, True)


def test_clearing_when_nothing_was_copied_touches_nothing(
    qloop: asyncio.AbstractEventLoop,
    guarded: Callable[[int], Guarded],
    user_copies: Callable[[str], Awaitable[None]],
) -> None:
    g = guarded(20)

    async def scenario() -> None:
        await user_copies("clipboard")
        g.guard.clear("now")
        assert await read("clipboard") == USERS_TEXT

    run(qloop, scenario())
    assert g.cleared == ["now"]
    assert (g.guard.active, g.guard.wiped) == (False, False)
    assert not g.guard.holds_our_secret()


def test_a_second_copy_restarts_the_countdown_for_the_new_secret(
    qloop: asyncio.AbstractEventLoop, guarded: Callable[[int], Guarded]
) -> None:
    g = guarded(3)
    newer = Secret("tdtest-clipboard-newer-secret")

    async def scenario() -> None:
        g.copy()
        g.tick(2)
        g.copy(newer, "other key")
        assert g.guard.seconds_left == 3
        assert g.guard.counting_down_for(newer)
        assert not g.guard.counting_down_for(SECRET)
        assert await read("clipboard") == newer.reveal()
        g.tick(3)
        assert await read("clipboard") == ""

    run(qloop, scenario())
    assert g.countdown == [
        (3, "CI key"),
        (2, "CI key"),
        (1, "CI key"),
        (3, "other key"),
        (2, "other key"),
        (1, "other key"),
    ]
    assert g.cleared == ["timeout"]


def test_quitting_clears_a_secret_still_on_the_clipboard(
    qapp: QApplication, qtbot: QtBot, profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real start-up and quit path (`bootstrap`), in this process: a secret copied while
    TokenDeck runs is off the X clipboard and the selection once it has quit."""
    need_desktop("xclip")
    need_secret_service()
    from tokendeck import bootstrap
    from tokendeck.ui import main_window

    copied: list[bool] = []

    class CopiesThenQuits(main_window.MainWindow):
        def load(self) -> None:
            super().load()
            self.clipboard.copy_secret(SECRET, "CI key")
            copied.append(QGuiApplication.clipboard().text() == SECRET.reveal())
            self.request_quit()

    monkeypatch.setattr(main_window, "MainWindow", CopiesThenQuits)
    logs = HeldLog(profile.log_path)  # (not on the root logger)
    try:
        assert (
            bootstrap._run_qt(argparse.Namespace(demo=False, minimized=False), profile, logs) == 0
        )
    finally:
        logs.close()
    assert copied == [True]
    for selection in ("clipboard", "primary"):
        assert _read_serving(qapp, selection) == "", (
            f"the {selection} still holds the secret after quitting"
        )


def _read_serving(qapp: QApplication, selection: str) -> str:
    """xclip's read of `selection`, while this process's Qt answers it (no asyncio loop left)."""
    reader = subprocess.Popen(
        ["xclip", "-o", "-selection", selection],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 10
    while reader.poll() is None:
        if time.monotonic() > deadline:
            reader.kill()
            raise AssertionError("xclip did not answer")
        qapp.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 20)
    out, _ = reader.communicate()
    return out
