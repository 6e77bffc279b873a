"""A secret is shown masked until asked for (the reveal dialog of a new key)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from tokendeck.core.secret import Secret
from tokendeck.ui.secret_view import SecretView

VALUE = "tdtest-7c1b2f-very-secret-value"


def _texts(top: QWidget) -> list[str]:
    found = [label.text() for label in top.findChildren(QLabel)]
    found += [box.toPlainText() for box in top.findChildren(QPlainTextEdit)]
    return found


def test_masked_until_shown_and_wiped_when_hidden_again(qtbot: QtBot) -> None:
    view = SecretView(Secret(VALUE), "The new secret")
    qtbot.addWidget(view)
    view.show()
    view.activateWindow()
    qtbot.waitActive(view)
    assert not view.shown
    assert not any(VALUE in text for text in _texts(view)), "masked: in no widget at all"
    assert f"({len(VALUE)} characters, hidden)" in view.masked.text()

    qtbot.mouseClick(view.toggle, Qt.MouseButton.LeftButton)
    assert view.shown and view.plain.toPlainText() == VALUE
    assert view.toggle.accessibleName() == "Hide the secret"

    def ctrl_h(inside: QWidget) -> None:
        """Ctrl+H with the focus on `inside` (a shortcut needs its window active)."""
        view.activateWindow()
        qtbot.waitUntil(view.isActiveWindow)
        inside.setFocus()
        qtbot.keyClick(inside, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)

    ctrl_h(view.plain)
    qtbot.waitUntil(lambda: not view.shown)
    assert not any(VALUE in text for text in _texts(view))
    ctrl_h(view.toggle)
    qtbot.waitUntil(lambda: view.shown)
    view.wipe()
    assert not any(VALUE in text for text in _texts(view))
    assert QApplication.clipboard().text() != VALUE
