"""A question that does not block: no nested event loop under asyncio (QMessageBox.exec would
run one). The safe answer is the default button and the one Esc gives."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def ask(
    parent: QWidget,
    name: str,
    title: str,
    text: str,
    details: str,
    action: str,
    on_yes: Callable[[], None],
    *,
    on_no: Callable[[], None] | None = None,
    keep: str = "Cancel",
) -> QMessageBox:
    """Open the question (object name `name`); `on_yes` runs if `action` is clicked, `on_no`
    on any other answer. Its texts are plain: names come from platforms and files."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    box.setObjectName(name)
    box.setInformativeText(details)
    box.setTextFormat(Qt.TextFormat.PlainText)
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(keep, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def answered(_: int) -> None:
        if box.clickedButton() is yes:
            on_yes()
        elif on_no is not None:
            on_no()

    box.finished.connect(answered)
    box.open()
    return box
