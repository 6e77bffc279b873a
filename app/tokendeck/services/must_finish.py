"""Work that must finish once started, even when its caller stops waiting (a Cancel) or the app
quits: keeping a secret the platform showed once, saving a session just signed in to.

`must_finish(coro, what)` runs `coro` as a task the caller awaits through `asyncio.shield`: a
Cancel stops the waiting, not the work. The task is held here (asyncio keeps only weak
references to tasks), quitting waits for `unfinished()` before it closes the services instead
of cancelling them (bootstrap), and a failure nobody waits for any more is logged, never lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

_running: set[asyncio.Task[Any]] = set()


def must_finish(coro: Coroutine[Any, Any, T], what: str) -> asyncio.Future[T]:
    """Await the result; cancelling the await leaves `coro` running to its end."""
    task = asyncio.ensure_future(coro)
    _running.add(task)

    def done(finished: asyncio.Task[Any]) -> None:
        _running.discard(finished)
        if finished.cancelled():
            log.error("%s was cancelled before it finished", what)
            return
        error = finished.exception()  # retrieved here: never "exception was never retrieved"
        if error is not None:
            log.error("%s failed: %s: %s", what, type(error).__name__, error)

    task.add_done_callback(done)
    return asyncio.shield(task)


def unfinished() -> set[asyncio.Task[Any]]:
    """What is still running (quitting lets it end instead of cancelling it)."""
    return set(_running)
