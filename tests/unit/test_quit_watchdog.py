"""A quit that hangs still ends the process, with every thread's stack in the log."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from tests.conftest import ROOT
from tokendeck.exit_codes import EXIT_QUIT_STUCK
from tokendeck.quit_watchdog import QuitWatchdog


def test_a_process_whose_quit_hangs_ends_and_its_log_says_where(tmp_path: Path) -> None:
    """The real thing, in its own process: a non-daemon thread blocked for good (as a D-Bus call
    nobody answers) would keep the interpreter from exiting; armed, the watchdog ends it."""
    log_path = tmp_path / "tokendeck.log"
    script = textwrap.dedent(
        f"""
        import logging, threading
        from pathlib import Path
        from tokendeck.app_logging import configure_logging
        from tokendeck.quit_watchdog import QuitWatchdog

        configure_logging(Path({str(log_path)!r}))
        def call_nobody_answers():
            threading.Event().wait()
        threading.Thread(target=call_nobody_answers, name="keyring").start()
        QuitWatchdog(Path({str(log_path)!r}), grace=0.5).arm()
        """
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == EXIT_QUIT_STUCK, done.stderr
    assert time.monotonic() - started < 15
    log = log_path.read_text()
    assert "quit: still closing after" in log
    assert "call_nobody_answers" in log  # the stuck thread's stack names where it waits


def test_a_quit_that_finishes_is_never_cut_short(tmp_path: Path) -> None:
    ended: list[int] = []
    watchdog = QuitWatchdog(tmp_path / "log", grace=0.2, end=ended.append)
    watchdog.arm()
    watchdog.disarm()
    time.sleep(0.5)
    assert ended == []
    assert not (tmp_path / "log").exists()


def test_asking_to_quit_again_gives_no_more_time(tmp_path: Path) -> None:
    ended = threading.Event()
    codes: list[int] = []

    def end(code: int) -> None:
        codes.append(code)
        ended.set()

    watchdog = QuitWatchdog(tmp_path / "log", grace=1.0, end=end)
    started = time.monotonic()
    watchdog.arm()
    time.sleep(0.8)
    watchdog.arm()  # a second SIGTERM, or the tray's Quit after the window's
    assert ended.wait(5)
    # The first arm's grace (1.0 s, plus a slow machine's delay), never a second (from 1.8 s).
    assert time.monotonic() - started < 1.7
    assert codes == [EXIT_QUIT_STUCK]
    assert "Thread 0x" in (tmp_path / "log").read_text()  # faulthandler's stacks
