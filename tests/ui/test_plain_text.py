"""Text from a platform or a token is shown as text, never read as rich text: a key name or an
error body holding HTML cannot draw a fake line or a link in any message TokenDeck shows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from tokendeck.core.models import Account, AccountStatus, Platform
from tokendeck.core.secret import Secret
from tokendeck.ui.task_runner import MessageBanner
from tokendeck.ui.working_dialog import error_label

HOSTILE = '<a href="https://evil.invalid">Click to re-authenticate</a><br><b>sub: admin</b>'


def _shown_as_text(label: QLabel) -> bool:
    return label.textFormat() == Qt.TextFormat.PlainText and HOSTILE in label.text()


def test_the_banner_and_field_errors_show_platform_words_as_text(qtbot: QtBot) -> None:
    banner = MessageBanner()
    qtbot.addWidget(banner)
    banner.show_message(f"Sign in failed. The platform said: {HOSTILE}", error=True)
    assert _shown_as_text(banner.text)
    label = error_label("error-password")
    qtbot.addWidget(label)
    label.setText(HOSTILE)
    assert _shown_as_text(label)


def test_the_sign_in_prompt_shows_host_and_user_as_text(qtbot: QtBot) -> None:
    from tokendeck.ui.sign_in_dialog import SignInDialog

    async def never(secrets: object) -> Account:
        raise AssertionError("not signed in here")

    account = Account(
        id="a",
        name="n",
        platform=Platform.DATALOOP,
        host="https://h.example",
        username=HOSTILE,
        status=AccountStatus.NEEDS_LOGIN,
    )
    dialog = SignInDialog(None, account, set(), never)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    assert _shown_as_text(dialog.intro)


def test_the_reveal_dialog_escapes_the_key_name(qtbot: QtBot) -> None:
    from tokendeck.ui.clipboard import ClipboardGuard
    from tokendeck.ui.key_dialogs import RevealDialog

    guard = ClipboardGuard()
    dialog = RevealDialog(None, HOSTILE, Secret("tdtest-revealed-value"), "Memory", guard)
    qtbot.addWidget(dialog)
    intros = [
        lb for lb in dialog.findChildren(QLabel) if "shows this secret only once" in lb.text()
    ]
    assert len(intros) == 1
    assert "<a href" not in intros[0].text() and "&lt;a href" in intros[0].text()


@pytest.mark.parametrize("text", ["<b>bold</b> key", "R&lt;D token", "a &amp; b", "plain text"])
def test_the_status_bar_shows_labels_as_text(qtbot: QtBot, text: str) -> None:
    """A token's label in the status bar (ui/status_text.py) is never read as markup: a tag, or
    an entity Qt would decode, shows as typed."""
    from PySide6.QtCore import Qt

    from tokendeck.ui.status_text import StatusText

    label = StatusText("status-test", 100)
    qtbot.addWidget(label)
    label.set_full_text(text)
    label.show()
    qtbot.waitExposed(label)
    assert label.textFormat() == (
        Qt.TextFormat.PlainText if text != "plain text" else Qt.TextFormat.AutoText
    )
    assert label.full_text() == text
