"""The account form's Script variable (`tokendeck exec`'s variable for the token): the platform's
default shows in the empty field and follows the platform; a name no shell accepts is refused by
its field; an edit shows and keeps what is set."""

from __future__ import annotations

from tests.ui.visible import click, type_into
from tokendeck.core.models import Account, AccountSettings, Platform
from tokendeck.platforms.registry import BY_PLATFORM
from tokendeck.ui.account_dialog import AccountDialog


def _shown(qtbot, dialog: AccountDialog) -> AccountDialog:  # type: ignore[no-untyped-def]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_platforms_variable_shows_and_a_bad_name_is_refused(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = _shown(qtbot, AccountDialog(None))
    assert dialog.exec_env.isVisible()
    for platform in (Platform.ENCORD, Platform.MANUAL, Platform.DATALOOP):
        dialog.platform.setCurrentIndex(dialog.platform.findData(platform.value))
        assert BY_PLATFORM[platform].exec_env in dialog.exec_env.placeholderText()
        assert dialog.exec_env.isVisible(), platform
    assert dialog.draft().account.settings.exec_env == ""
    type_into(dialog.name, "Scripts")
    for bad in ("1TOKEN", "MY-TOKEN", "MY TOKEN", "TÖKEN"):
        type_into(dialog.exec_env, bad)
        click(dialog.save_button)
        assert "A variable name" in dialog.visible_errors().get("exec_env", ""), bad
    type_into(dialog.exec_env, "DL_JWT")
    assert "exec_env" not in dialog.problems()
    assert dialog.draft().account.settings.exec_env == "DL_JWT"


def test_an_edit_shows_and_keeps_the_variable(qtbot) -> None:  # type: ignore[no-untyped-def]
    existing = Account(
        id="a1",
        name="Named",
        platform=Platform.HAUT,
        host="https://saas.haut.ai",
        settings=AccountSettings(exec_env="HAUT_JWT", proxy="http://proxy.example:3128"),
    )
    edit = _shown(qtbot, AccountDialog(None, existing))
    assert edit.exec_env.text() == "HAUT_JWT"
    settings = edit.draft().account.settings
    assert (settings.exec_env, settings.proxy) == ("HAUT_JWT", "http://proxy.example:3128")
    type_into(edit.exec_env, "")
    assert edit.draft().account.settings.exec_env == ""
