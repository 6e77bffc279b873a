"""An executor of one daemon thread, for calls into another process that cannot be cancelled.

A keyring call is a D-Bus round trip to the Secret Service; when the daemon does not answer (busy,
or waiting on an unlock prompt nobody sees) the call blocks its thread, and nothing can interrupt
it. `concurrent.futures.ThreadPoolExecutor` joins its threads when the interpreter exits, so such a
call would keep TokenDeck alive after quit. This worker's thread is a daemon: the process ends
whatever it is waiting for. That loses nothing: a secret write in flight is journaled before it
starts (write-before-show), as after a SIGKILL.
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_Call = tuple["concurrent.futures.Future[Any]", Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class DaemonWorker(concurrent.futures.Executor):
    """Runs submitted calls one at a time, in order, on its own daemon thread."""

    def __init__(self, name: str) -> None:
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._shut = False
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    def submit(
        self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> concurrent.futures.Future[T]:
        with self._lock:
            if self._shut:
                raise RuntimeError("cannot schedule new calls after shutdown")
            future: concurrent.futures.Future[T] = concurrent.futures.Future()
            self._calls.put((future, fn, args, kwargs))
            return future

    def shutdown(
        self,
        wait: bool = True,
        *,
        cancel_futures: bool = False,
        then: Callable[[], object] | None = None,
    ) -> None:
        """Refuse new calls; with `cancel_futures`, cancel those not started. `then` runs on the
        worker after the call running now (never beside it: e.g. closing the connection that
        call reads from, which would leave it waiting for good). `wait` waits for the call
        running now (if it ever returns)."""
        with self._lock:
            self._shut = True
            if cancel_futures:
                while True:
                    try:
                        call = self._calls.get_nowait()
                    except queue.Empty:
                        break
                    if call is not None:
                        call[0].cancel()
            if then is not None:
                self._calls.put((concurrent.futures.Future(), then, (), {}))
            self._calls.put(None)
        if wait and self._thread is not threading.current_thread():
            self._thread.join()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread to end (after `shutdown`, once the running call returns)."""
        self._thread.join(timeout)

    def _work(self) -> None:
        while (call := self._calls.get()) is not None:
            future, fn, args, kwargs = call
            del call
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # handed to whoever waits, as ThreadPoolExecutor does
                future.set_exception(exc)
                del exc
            else:
                future.set_result(result)
                del result
            del future, fn, args, kwargs
