"""A secret is shown masked until asked for (the reveal dialog of a new key)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from tokendeck.core.secret import Secret
from tokendeck.ui.secret_view import SecretView

VALUE = "tdtest-7c1b2f-very-secret-value"


def _texts(top: QWidget) -> list[str]:
    found = [label.text() for label in top.findChildren(QLabel)]
    found += [box.toPlainText() for box in top.findChildren(QPlainTextEdit)]
    return found


def test_masked_until_shown_and_wiped_when_hidden_again(qtbot: QtBot) -> None:
    """Ctrl+H works from anywhere in its window (the focus on Copy, as in the Reveal dialog)."""
    from PySide6.QtWidgets import QPushButton, QVBoxLayout

    top = QWidget()
    qtbot.addWidget(top)
    view = SecretView(Secret(VALUE), "The new secret")
    copy = QPushButton("Copy")
    column = QVBoxLayout(top)
    column.addWidget(view)
    column.addWidget(copy)
    top.show()
    top.activateWindow()
    qtbot.waitActive(top)
    assert not view.shown
    assert not any(VALUE in text for text in _texts(top)), "masked: in no widget at all"
    assert f"({len(VALUE)} characters, hidden)" in view.masked.text()

    qtbot.mouseClick(view.toggle, Qt.MouseButton.LeftButton)
    assert view.shown and view.plain.toPlainText() == VALUE
    assert view.toggle.accessibleName() == "Hide the secret"

    def ctrl_h(inside: QWidget) -> None:
        """Ctrl+H with the focus on `inside` (a shortcut needs its window active)."""
        top.activateWindow()
        qtbot.waitUntil(top.isActiveWindow)
        inside.setFocus()
        qtbot.keyClick(inside, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)

    ctrl_h(copy)
    qtbot.waitUntil(lambda: not view.shown)
    assert not any(VALUE in text for text in _texts(top)), "hidden again: the box is wiped"
    ctrl_h(view.plain if view.plain.isVisible() else view.toggle)
    qtbot.waitUntil(lambda: view.shown)
    view.wipe()
    assert not any(VALUE in text for text in _texts(top))
