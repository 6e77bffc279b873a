"""The plain-int roles and the enum properties set by name (ui/item_roles.py,
ui/enum_properties.py) are Qt's own: what the first rows are painted with before the `Qt`
namespace is made."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from tokendeck.ui import item_roles
from tokendeck.ui.enum_properties import set_by_name


@pytest.mark.parametrize(
    ("ours", "qts"),
    [
        (item_roles.DISPLAY, Qt.ItemDataRole.DisplayRole),
        (item_roles.DECORATION, Qt.ItemDataRole.DecorationRole),
        (item_roles.TOOLTIP, Qt.ItemDataRole.ToolTipRole),
        (item_roles.FOREGROUND, Qt.ItemDataRole.ForegroundRole),
        (item_roles.USER, Qt.ItemDataRole.UserRole),
    ],
)
def test_each_role_is_qts(ours: int, qts: Qt.ItemDataRole) -> None:
    assert type(ours) is int and ours == qts.value


def test_an_enum_property_is_set_by_its_keys_names(qtbot: QtBot) -> None:
    label = QLabel("x")
    qtbot.addWidget(label)
    set_by_name(label, "alignment", "AlignCenter")
    set_by_name(label, "textFormat", "PlainText")
    set_by_name(label, "textInteractionFlags", "LinksAccessibleByMouse|TextSelectableByMouse")
    assert label.alignment() == Qt.AlignmentFlag.AlignCenter
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.textInteractionFlags() == (
        Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.TextSelectableByMouse
    )


@pytest.mark.parametrize(("name", "keys"), [("alignment", "AlignCentre"), ("alinement", "Left")])
def test_a_key_or_property_that_does_not_exist_raises(qtbot: QtBot, name: str, keys: str) -> None:
    label = QLabel("x")
    qtbot.addWidget(label)
    with pytest.raises(ValueError, match=name):
        set_by_name(label, name, keys)
