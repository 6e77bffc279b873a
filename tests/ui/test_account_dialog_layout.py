"""The Add-account dialog shows the chosen platform's form and nothing else, whatever was chosen
before: after every switch of the Platform combo (forward through all, then back), at the
dialog's minimum size and at a large size, no two visible widgets overlap, none has zero size
or a cut text, and no widget of another platform is visible. And what it saves is exactly the
chosen platform's fields."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tokendeck.core.models import AccountSettings, Platform
from tokendeck.services import account_forms
from tokendeck.ui.account_dialog import AccountDialog

LEAVES = (QLabel, QLineEdit, QComboBox, QPlainTextEdit, QTextEdit, QAbstractButton)
PLATFORMS = [p for p, _ in account_forms.platforms()]
LARGE = (1400, 1000)


@pytest.fixture
def dialog(qtbot: QtBot) -> Iterator[AccountDialog]:
    dlg = AccountDialog(None)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    yield dlg
    dlg.close()


def settle(qtbot: QtBot) -> None:
    """Let the layout (and the dialog's fit to its content) run."""
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def visible_leaves(top: QWidget) -> list[tuple[QWidget, QRect]]:
    """Visible widgets a person reads or uses, with their rectangle in `top`'s coordinates; the
    parts of a compound widget (a text edit's viewport, a combo's line edit) are not counted."""
    found: list[tuple[QWidget, QRect]] = []

    def visit(widget: QWidget) -> None:
        for child in widget.findChildren(
            QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
        ):
            if child.isWindow() or not child.isVisible():
                continue
            if isinstance(child, LEAVES):
                found.append((child, QRect(child.mapTo(top, QPoint(0, 0)), child.size())))
            else:
                visit(child)

    visit(top)
    return found


def name_of(widget: QWidget) -> str:
    text = widget.objectName() or widget.accessibleName()
    if not text and isinstance(widget, QLabel | QAbstractButton):
        text = widget.text()
    return f"{type(widget).__name__}({text!r})"


def problems(dialog: AccountDialog) -> list[str]:
    chosen = dialog.chosen.value
    found: list[str] = []
    leaves = visible_leaves(dialog)
    for widget, rect in leaves:
        if rect.width() <= 0 or rect.height() <= 0:
            found.append(f"{name_of(widget)} is visible but {rect.width()}×{rect.height()} px")
        if isinstance(widget, QLabel) and not widget.text().strip() and widget.pixmap().isNull():
            found.append(f"{name_of(widget)} is a visible empty label")
        if isinstance(widget, QLabel) and widget.wordWrap() and widget.text():
            needed = widget.heightForWidth(widget.width())
            if widget.height() < needed:
                found.append(f"{name_of(widget)} is {widget.height()} px high, needs {needed}")
        if not dialog.rect().contains(rect):
            found.append(f"{name_of(widget)} at {rect.getRect()} is outside the dialog")
        owner = widget.property("platform")
        if owner is not None and owner != chosen:
            found.append(f"{name_of(widget)} of {owner} is visible while {chosen} is chosen")
    for i, (a, ra) in enumerate(leaves):
        for b, rb in leaves[i + 1 :]:
            overlap = ra.intersected(rb)
            if not overlap.isEmpty():
                found.append(
                    f"{name_of(a)} and {name_of(b)} overlap by {overlap.width()}×{overlap.height()}"
                )
    # Each field of the chosen platform is shown once, with its label.
    shown = [w.property("field") for w, _ in leaves if w.property("field")]
    wanted = [f.name for f in account_forms.capabilities(dialog.chosen).fields]
    if sorted(shown) != sorted(wanted):
        found.append(f"fields shown {sorted(shown)}, the platform has {sorted(wanted)}")
    labels = {w.buddy() for w, _ in leaves if isinstance(w, QLabel) and w.buddy() is not None}
    found.extend(
        f"{name_of(w)} has no visible label"
        for w, _ in leaves
        if w.property("field") and w not in labels
    )
    return found


def check_both_sizes(qtbot: QtBot, dialog: AccountDialog, when: str) -> None:
    settle(qtbot)
    for size in ("minimum", "large"):
        if size == "minimum":
            dialog.resize(dialog.minimumSize())
        else:
            dialog.resize(*LARGE)
        settle(qtbot)
        if size == "minimum":
            assert dialog.size() == dialog.minimumSize(), "the window manager kept another size"
        found = problems(dialog)
        assert not found, f"{when}, {size} size {dialog.size().toTuple()}:\n" + "\n".join(found)


def test_every_switch_shows_only_the_chosen_platform_at_minimum_and_large_size(
    qtbot: QtBot, dialog: AccountDialog
) -> None:
    assert dialog.chosen is PLATFORMS[0]
    dialog.platform.setFocus()
    check_both_sizes(qtbot, dialog, f"opened on {PLATFORMS[0].value}")
    # Forward through every platform, then back, with the keyboard on the combo, as a person.
    steps = [(Qt.Key.Key_Down, p) for p in PLATFORMS[1:]] + [
        (Qt.Key.Key_Up, p) for p in reversed(PLATFORMS[:-1])
    ]
    for key, expected in steps:
        QTest.keyClick(dialog.platform, key)
        assert dialog.chosen is expected
        check_both_sizes(qtbot, dialog, f"switched to {expected.value}")
        # With every message shown too (Save on an empty form refuses it by the fields).
        QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible() and dialog.visible_errors()
        check_both_sizes(qtbot, dialog, f"{expected.value} with its messages")


LONG = (
    "Sign in: The credentials were refused: the password is wrong, or the token is invalid or "
    "expired. (Wrong email or password.) (HTTP 401)"
)


def test_long_messages_by_every_field_are_shown_whole(qtbot: QtBot, dialog: AccountDialog) -> None:
    for platform in PLATFORMS:
        dialog.platform.setCurrentIndex(dialog.platform.findData(platform.value))
        settle(qtbot)
        names = ["name", "thresholds", *dialog.fields]
        if platform is not Platform.MANUAL:
            names.append("host")
        dialog.show_problems(dict.fromkeys(names, LONG))
        assert set(dialog.visible_errors()) == set(names)
        check_both_sizes(qtbot, dialog, f"{platform.value} with long messages")
        dialog.show_problems({})


def test_the_dialog_follows_the_form_it_shows(qtbot: QtBot, dialog: AccountDialog) -> None:
    """No empty band left by a longer form, no squeezed rows after a shorter one."""
    heights: dict[Platform, int] = {}
    for platform in [*PLATFORMS, *reversed(PLATFORMS)]:
        dialog.platform.setCurrentIndex(dialog.platform.findData(platform.value))
        settle(qtbot)
        assert dialog.height() == dialog.minimumHeight(), platform
        heights.setdefault(platform, dialog.height())
        assert heights[platform] == dialog.height(), "the same form, the same height"
    assert heights[Platform.ENCORD] > heights[Platform.MANUAL]


def fill_everything(dialog: AccountDialog, platform: Platform) -> None:
    for spec in account_forms.capabilities(platform).fields:
        dialog.set_field(
            spec.name, spec.choices[-1] if spec.choices else f"{platform.value}-{spec.name}"
        )


def test_saved_values_are_the_chosen_platform_fields_only(
    qtbot: QtBot, dialog: AccountDialog
) -> None:
    QTest.keyClicks(dialog.name, "Shared name")
    QTest.keyClicks(dialog.thresholds, "2d, 1h")
    for platform in [*PLATFORMS, *reversed(PLATFORMS)]:
        dialog.platform.setCurrentIndex(dialog.platform.findData(platform.value))
        fill_everything(dialog, platform)
    for chosen in PLATFORMS:
        dialog.platform.setCurrentIndex(dialog.platform.findData(chosen.value))
        draft = dialog.draft()
        fields = account_forms.capabilities(chosen).fields
        assert set(draft.inputs) == {f.name for f in fields if not f.secret}, chosen
        assert set(draft.secrets) == {f.name for f in fields if f.secret}, chosen
        for name, value in draft.inputs.items():
            spec = next(f for f in fields if f.name == name)
            assert value == (spec.choices[-1] if spec.choices else f"{chosen.value}-{name}")
        for name, secret in draft.secrets.items():
            assert secret.reveal() == f"{chosen.value}-{name}"
        assert draft.account.platform is chosen
        assert draft.account.name == "Shared name", "the name survives every switch"
        assert draft.account.settings.warn_thresholds == (2 * 86400, 3600)


def test_the_host_follows_the_platform_until_a_person_types_one(
    qtbot: QtBot, dialog: AccountDialog
) -> None:
    def choose(platform: Platform) -> None:
        dialog.platform.setCurrentIndex(dialog.platform.findData(platform.value))

    for platform in PLATFORMS:
        choose(platform)
        if platform is not Platform.MANUAL:
            assert dialog.host.text() == account_forms.capabilities(platform).default_host
            assert dialog.host.isVisible()
        else:
            assert not dialog.host.isVisible()
            assert dialog.draft().account.host == ""
    choose(Platform.HAUT)
    dialog.host.selectAll()
    QTest.keyClicks(dialog.host, "https://haut.example.org")
    for platform in PLATFORMS:
        choose(platform)
        if platform is not Platform.MANUAL:
            assert dialog.host.text() == "https://haut.example.org", "a typed host is kept"
    dialog.host.selectAll()
    QTest.keyClick(dialog.host, Qt.Key.Key_Delete)
    choose(Platform.DATALOOP)
    assert dialog.host.text() == account_forms.capabilities(Platform.DATALOOP).default_host


def test_alternative_sign_in_methods_are_explained_on_the_form(
    qtbot: QtBot, dialog: AccountDialog
) -> None:
    expected = {
        Platform.DATALOOP: "Give e-mail + password, or an API key (one is enough).",
        Platform.TRIFACTA: "or an access token (one is enough)",
        Platform.ENCORD: "or a legacy API key + its project / dataset hash (one is enough)",
    }
    for platform in PLATFORMS:
        dialog.platform.setCurrentIndex(dialog.platform.findData(platform.value))
        settle(qtbot)
        hints = [
            w
            for w, _ in visible_leaves(dialog)
            if isinstance(w, QLabel) and w.objectName().startswith("hint-")
        ]
        if platform in expected:
            assert len(hints) == 1 and expected[platform] in hints[0].text(), platform
            first = next(iter(dialog.fields.values()))
            assert hints[0].geometry().bottom() < first.geometry().top(), "above the fields"
        else:
            assert not hints, platform


def test_edit_says_stored_only_for_the_secrets_that_are(qtbot: QtBot) -> None:
    from tokendeck.core.models import Account

    account = Account(
        id="a1",
        name="DL",
        platform=Platform.DATALOOP,
        host="https://gate.dataloop.ai",
        settings=AccountSettings(inputs={"username": "me@example.org"}),
    )
    dlg = AccountDialog(None, account, stored={"password"})
    qtbot.addWidget(dlg)
    password, api_key = dlg.fields["password"], dlg.fields["api_key"]
    assert isinstance(password, QLineEdit) and isinstance(api_key, QLineEdit)
    assert password.placeholderText() == "stored — leave empty to keep it"
    assert "stored" not in api_key.placeholderText()
    assert password.echoMode() is QLineEdit.EchoMode.Password
    assert dlg.fields["username"].text() == "me@example.org"  # type: ignore[union-attr]
    assert not dlg.problems(), "the stored password is enough"
    nothing = AccountDialog(None, account, stored=set())
    qtbot.addWidget(nothing)
    assert "password" in nothing.problems(), "nothing stored, nothing entered: refused"
