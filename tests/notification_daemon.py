"""A real notification daemon (dunst) on the private bus and display of scripts/desktop-session,
for as long as a test needs it: it is always stopped, even when it failed to start."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import need_desktop, need_tools
from tokendeck.ui.notifier import _service_running


def dunstctl(*args: str) -> str:
    done = subprocess.run(
        ["dunstctl", *args], capture_output=True, text=True, timeout=10, check=True
    )
    return done.stdout.strip()


@contextmanager
def running_dunst(folder: Path) -> Iterator[subprocess.Popen[str]]:
    need_desktop()
    need_tools("dunst", "dunstctl")
    assert not _service_running(), "a notification service already runs on the test bus"
    config = folder / "dunstrc"
    config.write_text("[global]\n    timeout = 0\n")  # shown until acted on
    daemon = subprocess.Popen(
        ["dunst", "-conf", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 10
        while not _service_running():
            assert daemon.poll() is None, f"dunst did not start: {daemon.communicate()[1]}"
            assert time.monotonic() < deadline, "dunst did not take the notification service"
            time.sleep(0.05)
        yield daemon
    finally:
        daemon.terminate()
        daemon.communicate(timeout=10)
