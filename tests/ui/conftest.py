from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from tests.ui.visible import visible_windows
from tokendeck.sandbox.world import SandboxWorld, build_world
from tokendeck.services.app_services import AppServices
from tokendeck.services.door import Door
from tokendeck.services.key_lookup import KeyLookup
from tokendeck.storage.profile import Profile
from tokendeck.ui.main_window import MainWindow
from tokendeck.ui.ticker import Ticker
from tokendeck.ui.tray import Tray
from tokendeck.ui.wiring import wire

_serving: list[subprocess.Popen[str]] = []
_tickers: list[Ticker] = []


@pytest.fixture(autouse=True)
def _stop_tickers() -> Iterator[None]:
    """Stop each window's ticker with its test, as the app does on quit: a ticker left running
    would drive a test's tray status (every 30 ticks) inside later tests."""
    yield
    while _tickers:
        _tickers.pop().stop()


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on the test's QApplication: `run(qloop, scenario())`."""
    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def world() -> Iterator[SandboxWorld]:
    """A sandbox of every platform per test: no test sees users, keys or sessions another made
    (the suite runs in random order; the layout tests seed the demo into it each time)."""
    sandbox = build_world().start()
    yield sandbox
    sandbox.stop()


def new_window(
    qtbot: QtBot,
    profile: Profile,
    *,
    has_tray: bool = False,
    key_lookup: Callable[[], KeyLookup] | None = None,
) -> MainWindow:
    """A main window on the test's profile (not shown)."""
    settings = QSettings(str(profile.settings_path), QSettings.Format.IniFormat)
    ticker = Ticker()
    _tickers.append(ticker)
    window = MainWindow(Door(), ticker, settings, has_tray=has_tray, key_lookup=key_lookup)
    qtbot.addWidget(window)
    return window


def connect(window: MainWindow, services: AppServices, tray: Tray | None = None) -> None:
    """What bootstrap does once the engine is open: the window's events are wired (and its
    first rows asked for), then its door connects to the engine."""
    wire(window.door, window, tray)
    window.door.connect(services)


@pytest.fixture
def window(qtbot: QtBot, profile: Profile) -> Iterator[MainWindow]:
    """The main window, shown and exposed; after the test no question is left open and nothing
    it copied stays on the clipboard."""
    win = new_window(qtbot, profile)
    win.show()
    qtbot.waitExposed(win)
    yield win
    for box in visible_windows(QMessageBox):
        box.close()
    win.clipboard.clear("test end")


@pytest.fixture(autouse=True)
def _stop_xclip_servers() -> Iterator[None]:
    yield
    while _serving:
        proc = _serving.pop()
        if proc.poll() is None:
            proc.kill()
        proc.wait()


async def xclip(*args: str, input_text: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run xclip in a worker thread so this process's Qt loop can answer its selection request.

    With `input_text`, xclip stays alive serving the selection until another client takes it:
    it is started and left running (stopped at the end of the test)."""
    if input_text is not None:
        proc = subprocess.Popen(
            ["xclip", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        assert proc.stdin is not None
        proc.stdin.write(input_text)
        proc.stdin.close()
        _serving.append(proc)
        selection = args[args.index("-selection") + 1] if "-selection" in args else "primary"
        deadline = time.monotonic() + 10
        while (await xclip("-o", "-selection", selection)).stdout != input_text:
            assert time.monotonic() < deadline, "xclip did not take the selection in time"
        return subprocess.CompletedProcess(proc.args, 0, "", "")

    def read() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["xclip", *args], capture_output=True, text=True, timeout=10, check=False
        )

    return await asyncio.to_thread(read)


def run(loop: asyncio.AbstractEventLoop, coro: Any) -> Any:
    return loop.run_until_complete(asyncio.wait_for(coro, 60))
