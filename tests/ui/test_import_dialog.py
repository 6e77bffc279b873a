"""File > Import from plaintext files: it opens on what the usual places hold, imports the
checked finds, says what became of each, and takes the plaintext copies out after asking; its
model passes Qt's model tester."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.modeltest import ModelTester

from tests.flows.test_plaintext_import import jwt_token
from tests.ui.conftest import run
from tests.ui.test_account_dialog_sign_in import start, stop
from tests.ui.visible import button, cell_texts, click, the_window, until
from tokendeck.core.models import CredentialKind, Platform
from tokendeck.core.secret import Secret
from tokendeck.services.plaintext_model import Find, FindKind
from tokendeck.storage.profile import Profile
from tokendeck.ui.import_dialog import BECOMES, STATUS, WHAT, FindsModel
from tokendeck.ui.main_window import MainWindow


def _find(name: str) -> Find:
    return Find(
        source=Path("/tmp/x/.env"),
        place=f"line 1 ({name})",
        kind=FindKind.TRACKED,
        what=f"Dataloop token in {name}",
        name=f"{name} (.env)",
        shown="eyJh…abcd",
        secrets={"token": Secret("t")},
        platform=Platform.DATALOOP,
    )


def test_the_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = FindsModel()
    model.add([_find("DATALOOP_TOKEN"), _find("TOKEN")])
    model.add([_find("TOKEN")])  # listed once
    assert model.rowCount() == 2
    assert model.setData(
        model.index(1, WHAT), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole
    )
    assert [f.name for f in model.chosen()] == ["DATALOOP_TOKEN (.env)"]
    qtmodeltester.check(model, force_py=True)


def test_file_import_finds_imports_and_takes_the_copies_out(
    qloop: asyncio.AbstractEventLoop,
    window: MainWindow,
    profile: Profile,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir(parents=True)
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("DATALOOP_PATH", raising=False)
    monkeypatch.chdir(work)
    kept, taken = jwt_token(email="kept@b.test"), jwt_token(email="taken@b.test")
    env = work / ".env"
    env.write_text(f"HAUT_AI_TOKEN={kept}\nDATALOOP_TOKEN={taken}\nOTHER=1\n")

    async def scenario() -> None:
        services = await start(window, profile)
        try:
            window.import_action.trigger()
            dialog = window.open_import()
            await until(lambda: dialog.model.rowCount() == 2, "the usual places read")
            assert dialog.found.text().startswith("2 credentials found.")
            assert cell_texts(dialog.view, BECOMES) == [
                "tracked token “HAUT_AI_TOKEN (.env)”",
                "tracked token “DATALOOP_TOKEN (.env)”",
            ]
            assert not dialog.remove_button.isEnabled()
            dialog.model.setData(
                dialog.model.index(0, WHAT), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole
            )
            click(dialog.import_button)
            await until(lambda: "Imported" in cell_texts(dialog.view, STATUS)[1], "imported")
            assert cell_texts(dialog.view, STATUS)[0] == "Not imported yet"
            held = [
                c.label
                for c in await services.catalog.list_credentials()
                if c.kind is CredentialKind.PASTED_TOKEN
            ]
            assert held == ["DATALOOP_TOKEN (.env)"]
            await until(lambda: dialog.remove_button.isEnabled(), "copies may be taken out")
            click(dialog.remove_button)
            question = await the_window(QMessageBox, "import-question")
            assert str(env) in question.informativeText()
            click(button(question, "Take them out"))
            await until(lambda: env.read_text() == f"HAUT_AI_TOKEN={kept}\nOTHER=1\n", "taken out")
            await until(lambda: not dialog.remove_button.isEnabled(), "nothing left to take out")
            shown = " ".join(" ".join(cell_texts(dialog.view, c)) for c in range(5))
            assert taken not in shown and kept not in shown
        finally:
            await stop(window, services)

    run(qloop, scenario())


def test_with_nothing_in_the_usual_places_it_says_where_it_looked(
    qloop: asyncio.AbstractEventLoop,
    window: MainWindow,
    profile: Profile,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("DATALOOP_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    broken = tmp_path / "broken.env"
    broken.write_text("ENCORD_API_KEY=no-project-with-it\n")

    async def scenario() -> None:
        services = await start(window, profile)
        try:
            dialog = window.open_import()
            await until(lambda: "Nothing found in the usual places" in dialog.found.text(), "said")
            assert not dialog.import_button.isEnabled()
            dialog.read_files([broken])
            await until(
                lambda: "needs its project or dataset id" in dialog.problems.toPlainText(), "why"
            )
            assert dialog.model.rowCount() == 0
        finally:
            await stop(window, services)

    run(qloop, scenario())
