"""The keyring's worker: calls in order, outcomes handed over, and a call that never returns
does not keep the process alive."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading

import pytest

from tests.conftest import ROOT
from tokendeck.storage.daemon_worker import DaemonWorker


def test_calls_run_in_order_on_one_thread_and_hand_over_results_and_errors() -> None:
    worker = DaemonWorker("test-worker")
    seen: list[tuple[int, str]] = []

    def note(n: int) -> int:
        seen.append((n, threading.current_thread().name))
        return n * 2

    futures = [worker.submit(note, n) for n in range(5)]
    assert [f.result(5) for f in futures] == [0, 2, 4, 6, 8]
    assert seen == [(n, "test-worker") for n in range(5)]
    with pytest.raises(ZeroDivisionError):
        worker.submit(lambda: 1 / 0).result(5)
    worker.shutdown()
    with pytest.raises(RuntimeError):
        worker.submit(note, 9)


def test_shutdown_cancels_what_has_not_started() -> None:
    worker = DaemonWorker("test-worker")
    started, release = threading.Event(), threading.Event()

    def run() -> bool:
        started.set()
        return release.wait(5)

    running = worker.submit(run)
    assert started.wait(5)
    queued = [worker.submit(lambda: None) for _ in range(3)]
    worker.shutdown(wait=False, cancel_futures=True)
    assert all(f.cancelled() for f in queued)
    release.set()
    assert running.result(5) is True


async def test_it_serves_run_in_executor() -> None:
    worker = DaemonWorker("test-worker")
    loop = asyncio.get_running_loop()
    assert await loop.run_in_executor(worker, sum, [1, 2, 3]) == 6
    worker.shutdown()


def test_a_call_that_never_returns_does_not_keep_the_process_alive() -> None:
    script = textwrap.dedent(
        """
        import threading
        from tokendeck.storage.daemon_worker import DaemonWorker

        worker = DaemonWorker("keyring")
        worker.submit(threading.Event().wait)  # a D-Bus call nobody answers
        worker.shutdown(wait=False, cancel_futures=True)
        print("main done")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=20
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "main done"


def test_then_runs_on_the_worker_after_the_running_call_never_beside_it() -> None:
    worker = DaemonWorker("test-worker")
    started, release = threading.Event(), threading.Event()
    events: list[str] = []

    def run() -> None:
        started.set()
        release.wait(5)
        events.append("call returned")

    running = worker.submit(run)
    assert started.wait(5)
    queued = worker.submit(lambda: events.append("queued ran"))
    worker.shutdown(
        wait=False,
        cancel_futures=True,
        then=lambda: events.append(f"then on {threading.current_thread().name}"),
    )
    assert queued.cancelled()
    assert events == [], "nothing runs beside the call in progress"
    release.set()
    running.result(5)
    worker.join(5)
    assert events == ["call returned", "then on test-worker"]
