"""The action icons (one set, drawn in the palette's colours) and the button row that keeps every
button on screen by dropping words before buttons."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.geometry import layout_problems
from tokendeck.ui import theme
from tokendeck.ui.button_bar import ButtonBar
from tokendeck.ui.icons import Act, app_icon, follow_desktop_icons, icon, package_folder


def _ink(image: QImage) -> set[str]:
    """The opaque colours an icon is drawn in."""
    found = set()
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = image.pixelColor(x, y)
            if pixel.alpha() == 255:
                found.add(pixel.name())
    return found


@pytest.fixture
def own_icons() -> Iterator[None]:
    """Our set, whatever icon theme the machine has (with System, the desktop's comes first)."""
    follow_desktop_icons(False)
    yield
    follow_desktop_icons(True)


@pytest.mark.usefixtures("own_icons")
def test_every_action_has_an_icon_drawn_in_the_palettes_text_colour(qtbot: QtBot) -> None:
    dark = theme.dark_palette()
    light = QPalette(dark)
    light.setColor(QPalette.ColorRole.ButtonText, QColor("#202020"))
    for act in Act:
        on_dark = icon(act, dark).pixmap(32, 32).toImage()
        on_light = icon(act, light).pixmap(32, 32).toImage()
        assert _ink(on_dark) == {theme.DARK_COLORS[QPalette.ColorRole.ButtonText]}, act
        assert _ink(on_light) == {"#202020"}, act


def test_a_narrow_row_drops_words_not_buttons_and_a_wide_one_brings_them_back(
    qtbot: QtBot,
) -> None:
    top = QWidget()
    qtbot.addWidget(top)
    add, edit, remove, sign_in, test = (
        QPushButton(text) for text in ("Add…", "Edit…", "Remove…", "Sign in", "Test connection")
    )
    test.setToolTip("The platform's cheap check call")
    bar = ButtonBar(
        ((add, Act.ADD), (edit, Act.EDIT), (remove, Act.REMOVE)),
        ((sign_in, Act.SIGN_IN), (test, Act.TEST)),
        words_kept_longest=(add, sign_in),
        parent=top,
    )
    top.resize(bar.sizeHint().width() + 40, 40)
    bar.setGeometry(0, 0, top.width(), 40)
    top.show()
    qtbot.waitExposed(top)
    assert all(b.text() for b in (add, edit, remove, sign_in, test))

    bar.setGeometry(0, 0, bar.minimumSizeHint().width() + 60, 40)
    qtbot.waitUntil(lambda: not test.text())
    assert layout_problems(top) == []
    assert add.text() == "Add…", "the most used keeps its words longest"
    assert test.accessibleName() == "Test connection"
    assert test.toolTip() == "Test connection: The platform's cheap check call"
    bar.set_words(sign_in, "Sign out")  # a toggle's new words are kept for when there is room

    bar.setGeometry(0, 0, bar.minimumSizeHint().width(), 40)
    qtbot.waitUntil(lambda: not add.text())
    assert layout_problems(top) == []
    assert all(b.isVisible() and b.width() > 0 for b in (add, edit, remove, sign_in, test))

    bar.setGeometry(0, 0, bar.sizeHint().width() + 40, 40)
    qtbot.waitUntil(lambda: add.text() == "Add…")
    assert [b.text() for b in (edit, remove, sign_in, test)] == [
        "Edit…",
        "Remove…",
        "Sign out",
        "Test connection",
    ]
    assert test.toolTip() == "The platform's cheap check call"


def test_the_app_draws_only_icons_of_its_own_set() -> None:
    """No stock style icon (a floppy for Copy, a green tick for a tab): every icon is an `Act`."""
    from tests.conftest import ROOT

    stock = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "app" / "tokendeck").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "standardIcon" in line or "StandardPixmap" in line
    ]
    assert stock == []


@pytest.mark.parametrize("with_init", [True, False])
def test_a_package_folder_is_found_with_or_without_its_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_init: bool
) -> None:
    """The PyInstaller bundle holds tokendeck/resources as data, without its __init__: a
    namespace package there, whose spec has no origin."""
    package = f"tdtest_pkg_{'init' if with_init else 'namespace'}"
    folder = tmp_path / package / "resources"
    (folder / "icons").mkdir(parents=True)
    (tmp_path / package / "__init__.py").write_text("")
    if with_init:
        (folder / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert package_folder(f"{package}.resources") == folder
        with pytest.raises(RuntimeError, match="not installed"):
            package_folder(f"{package}.nothing")
    finally:
        sys.modules.pop(package, None)


def test_the_app_icon_is_the_svg_and_renders_at_window_icon_sizes(qtbot: QtBot) -> None:
    for size in (16, 32, 64, 128):
        assert app_icon().pixmap(size, size).width() == size
