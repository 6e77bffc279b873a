"""EmptyState makes its words and picture when it is first shown (ui/empty_state.py): a page
never shown does not pay for them, and its buttons are where Tab expects them."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QStackedWidget, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from tokendeck.ui.empty_state import EmptyState
from tokendeck.ui.icons import Act


def focus_order(start: QWidget, names: set[str]) -> list[str]:
    order, widget = [], start.nextInFocusChain()
    while widget is not start:
        if widget.objectName() in names:
            order.append(widget.objectName())
        widget = widget.nextInFocusChain()
    return order


def test_the_page_is_made_when_shown_with_its_buttons_in_tab_order(qtbot: QtBot) -> None:
    top = QWidget()
    qtbot.addWidget(top)
    before, after = QLineEdit(objectName="before"), QLineEdit(objectName="after")
    stack = QStackedWidget()
    empty = EmptyState(Act.ACCOUNTS, "Nothing yet", "Add one.")
    first = empty.add_button("Add…", primary=True)
    second = empty.add_button("Import…")
    first.setObjectName("first")
    second.setObjectName("second")
    stack.addWidget(QLabel("rows"))
    stack.addWidget(empty)
    layout = QVBoxLayout(top)
    for widget in (before, stack, after):
        layout.addWidget(widget)
    top.show()
    qtbot.waitExposed(top)
    assert empty.picture is None and not empty.findChildren(QLabel), "not shown: no words yet"

    stack.setCurrentWidget(empty)
    qtbot.waitUntil(first.isVisible)
    assert second.isVisible() and empty.picture is not None and empty.picture.isVisible()
    texts = [label.text() for label in empty.widget().findChildren(QLabel)]
    assert "Nothing yet" in texts and "Add one." in texts
    assert [b.text() for b in empty.widget().findChildren(QPushButton)] == ["Add…", "Import…"]
    labels = [empty.picture, *(w for w in empty.widget().findChildren(QLabel) if w.text())]
    tops = [label.geometry().top() for label in labels]
    assert tops == sorted(tops) and tops[-1] < first.geometry().top(), "words above the buttons"
    names = {"before", "first", "second", "after"}
    assert focus_order(top, names) == ["before", "first", "second", "after"]
