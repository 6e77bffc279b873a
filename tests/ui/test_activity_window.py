"""View > Activity: the log in a window of its own, filtered by kind and text, exported as CSV;
its models pass Qt's model tester."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester

from tests.ui.conftest import run
from tests.ui.test_account_dialog_sign_in import start, stop
from tests.ui.visible import answer_save_dialogs, click, type_into, until
from tokendeck.core.models import Account, Platform
from tokendeck.core.secret import Secret
from tokendeck.services.activity import ActivityRow
from tokendeck.storage.profile import Profile
from tokendeck.ui.activity_window import ActivityFilter, ActivityModel
from tokendeck.ui.main_window import MainWindow

AT = datetime(2026, 12, 6, 10, 30, tzinfo=UTC)


def test_the_models_pass_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = ActivityModel()
    model.set_rows(
        [
            ActivityRow(AT, "key.create", "API key created", "API keys", "prod", "CI bot", ""),
            ActivityRow(AT, "secret.copy", "Secret copied", "Copies", "prod", "CI bot", ""),
        ]
    )
    qtmodeltester.check(model, force_py=True)
    shown = ActivityFilter()
    shown.setSourceModel(model)
    shown.choose(("Copies",), "")
    assert shown.rowCount() == 1
    qtmodeltester.check(shown, force_py=True)


def test_the_view_menu_opens_the_activity_filtered_and_exported(
    qloop: asyncio.AbstractEventLoop,
    window: MainWindow,
    profile: Profile,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "activity"
    answer_save_dialogs(monkeypatch, target)

    async def scenario() -> None:
        services = await start(window, profile)
        try:
            await services.accounts.add(
                Account(id="", name="Pasted things", platform=Platform.MANUAL, host=""),
                {},
                {"token": Secret("opaque-activity-token-" + "x" * 20)},
            )
            await services.accounts.add(
                Account(id="", name="Another one", platform=Platform.MANUAL, host=""),
                {},
                {"token": Secret("opaque-activity-token-" + "y" * 20)},
            )
            window.activity_action.trigger()
            activity = window.open_activity()
            assert activity.isVisible()
            await until(lambda: activity.model.rowCount() >= 2, "the log is read")
            total = activity.model.rowCount()
            type_into(activity.search, "another")
            await until(lambda: 0 < activity.filter.rowCount() < total, "filtered by text")
            assert "shown" in activity.count.text()
            activity.kind.setCurrentText("Copies")
            assert activity.filter.rowCount() == 0
            activity.kind.setCurrentText("Everything")
            click(activity.export_button)
            written = target.with_suffix(".csv")
            await until(lambda: written.exists(), "exported")
            rows = list(csv.reader(io.StringIO(written.read_text())))
            assert len(rows) == activity.filter.rowCount() + 1
            assert all("Another one" in ",".join(r) for r in rows[1:])
            assert "opaque-activity-token" not in written.read_text()
        finally:
            await stop(window, services)

    run(qloop, scenario())
