from __future__ import annotations

import logging
import sys
import threading

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from tokendeck.app_logging import configure_logging
from tokendeck.storage.profile import Profile
from tokendeck.ui.error_reporter import ErrorReporter


@pytest.fixture
def reporter(qtbot: QtBot, profile: Profile) -> ErrorReporter:
    handler = configure_logging(profile.log_path)
    parent = QWidget()
    qtbot.addWidget(parent)
    rep = ErrorReporter(parent, profile.log_path)
    rep.install()
    yield rep  # type: ignore[misc]
    rep.uninstall()
    logging.getLogger().removeHandler(handler)
    handler.close()


def test_unhandled_exception_shows_dialog_logs_and_redacts(
    qtbot: QtBot, reporter: ErrorReporter, profile: Profile
) -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    try:
        raise RuntimeError(f"upstream said: Authorization: Bearer {token}")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    qtbot.waitUntil(lambda: bool(reporter.reported), timeout=2000)
    boxes = [b for b in reporter.parent().findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1
    assert token not in boxes[0].informativeText() and token not in boxes[0].detailedText()
    assert "RuntimeError" in boxes[0].informativeText()
    assert not boxes[0].isModal()
    for box in boxes:
        box.close()
    log_text = profile.log_path.read_text()
    assert "RuntimeError" in log_text
    assert token not in log_text


def test_thread_exceptions_are_reported(qtbot: QtBot, reporter: ErrorReporter) -> None:
    def boom() -> None:
        raise ValueError("worker failed")

    thread = threading.Thread(target=boom)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: any("worker failed" in r for r in reporter.reported), timeout=2000)
    for box in reporter.parent().findChildren(QMessageBox):
        box.close()
