"""Work that must finish: a Cancel stops the waiting, not the work; quitting can wait for it;
a failure nobody waits for any more is logged."""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest

from tokendeck.services.must_finish import must_finish, unfinished


async def test_a_cancel_stops_the_waiting_not_the_work() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    kept: list[str] = []

    async def keep_the_secret() -> str:
        started.set()
        await release.wait()
        kept.append("secret")
        return "kept"

    async def caller() -> str:
        return await must_finish(keep_the_secret(), "keeping a secret")

    waiting = asyncio.ensure_future(caller())
    await started.wait()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    gc.collect()  # held here, not only by asyncio's weak set
    (work,) = unfinished()
    release.set()
    assert await work == "kept"
    assert kept == ["secret"]
    assert unfinished() == set()


async def test_a_failure_nobody_waits_for_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    started = asyncio.Event()

    async def fails() -> None:
        started.set()
        await asyncio.sleep(0.01)
        raise OSError("No space left on device")

    async def caller() -> None:
        await must_finish(fails(), "keeping the new key “CI”")

    waiting = asyncio.ensure_future(caller())
    await started.wait()
    waiting.cancel()
    with caplog.at_level(logging.ERROR, logger="tokendeck.services.must_finish"):
        await asyncio.gather(*unfinished(), return_exceptions=True)
        await asyncio.sleep(0)
    assert "keeping the new key “CI” failed: OSError: No space left on device" in caplog.text


async def test_a_caller_that_waits_gets_the_result_or_the_error() -> None:
    async def works() -> int:
        return 7

    async def fails() -> int:
        raise ValueError("refused")

    assert await must_finish(works(), "work") == 7
    with pytest.raises(ValueError, match="refused"):
        await must_finish(fails(), "work")
