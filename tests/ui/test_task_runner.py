"""The one way the window runs async work and shows what went wrong."""

from __future__ import annotations

import asyncio

from pytestqt.qtbot import QtBot

from tests.ui.conftest import run
from tokendeck.core.errors import AuthError
from tokendeck.storage.secret_store import SecretStoreError
from tokendeck.ui.task_runner import BusyBar, MessageBanner, TaskRunner


def _runner(qtbot: QtBot) -> tuple[TaskRunner, MessageBanner]:
    banner, bar = MessageBanner(), BusyBar()
    qtbot.addWidget(banner)
    qtbot.addWidget(bar)
    return TaskRunner(banner, bar), banner


def test_a_store_failure_is_said_in_words_not_as_a_class_name(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    runner, banner = _runner(qtbot)

    async def locked() -> None:
        raise SecretStoreError("The keyring is locked: unlock it and try again.")

    async def refused() -> None:
        raise AuthError("Wrong password.", platform_message="bad credentials")

    async def scenario() -> None:
        await runner.quietly("Copying “CI key”", locked())
        assert banner.text.text() == (
            "Copying “CI key” failed: The keyring is locked: unlock it and try again."
        )
        await runner.quietly("Signing in", refused())
        assert banner.text.text() == (
            "Signing in failed. Wrong password. The platform said: bad credentials"
        )

    run(qloop, scenario())


def test_a_newer_quiet_job_of_the_same_name_replaces_the_older(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    runner, _ = _runner(qtbot)
    done: list[str] = []

    async def load(name: str, wait: float) -> str:
        await asyncio.sleep(wait)
        return name

    async def scenario() -> None:
        first = runner.quietly("Loading", load("old", 0.2), done.append)
        second = runner.quietly("Loading", load("new", 0.0), done.append)
        other = runner.quietly("Notifying", load("note", 0.0), done.append, replace=False)
        await asyncio.gather(first, second, other, return_exceptions=True)
        assert first.cancelled()
        assert sorted(done) == ["new", "note"]

    run(qloop, scenario())
