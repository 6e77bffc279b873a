from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

_serving: list[subprocess.Popen[str]] = []


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
        await asyncio.sleep(0.3)
        return subprocess.CompletedProcess(proc.args, 0, "", "")

    def read() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["xclip", *args], capture_output=True, text=True, timeout=10, check=False
        )

    return await asyncio.to_thread(read)


def run(loop: asyncio.AbstractEventLoop, coro: Any) -> Any:
    return loop.run_until_complete(asyncio.wait_for(coro, 60))
