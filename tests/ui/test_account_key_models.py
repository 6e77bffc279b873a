from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.modeltest import ModelTester

from tokendeck.core.models import Account, AccountStatus, Credential, CredentialKind, Platform
from tokendeck.platforms.base import RemoteKey
from tokendeck.services.accounts import KeyView
from tokendeck.ui.accounts_model import AccountColumn, AccountsModel
from tokendeck.ui.keys_tab import KeyColumn, KeysModel

NOW = datetime.now(UTC)


def test_accounts_model(qtmodeltester: ModelTester) -> None:
    model = AccountsModel()
    model.set_accounts(
        [
            (
                Account(
                    id="a",
                    name="DL",
                    platform=Platform.DATALOOP,
                    host="https://gate.example",
                    status=AccountStatus.SIGNED_IN,
                ),
                NOW + timedelta(hours=3),
            ),
            (
                Account(
                    id="b",
                    name="Pasted",
                    platform=Platform.MANUAL,
                    host="",
                    status=AccountStatus.ERROR,
                    status_detail="boom",
                ),
                None,
            ),
        ]
    )
    qtmodeltester.check(model, force_py=True)
    assert model.data(model.index(0, AccountColumn.STATUS)) == "signed in"
    assert model.data(model.index(1, AccountColumn.EXPIRY)) == "—"
    assert model.row_of("b") == 1


def test_keys_model(qtmodeltester: ModelTester) -> None:
    model = KeysModel()
    held = Credential(id="c", kind=CredentialKind.API_KEY, label="k", secret_ref="r")
    model.set_keys(
        [
            KeyView(RemoteKey(id="1", name="old", revoked=True), None),
            KeyView(
                RemoteKey(
                    id="2", name="soon", expires_at=NOW + timedelta(days=2), scopes=("label.read",)
                ),
                held,
            ),
            KeyView(RemoteKey(id="3", name="never"), None),
        ]
    )
    qtmodeltester.check(model, force_py=True)
    rows = {model.data(model.index(r, KeyColumn.NAME)): r for r in range(3)}
    assert model.data(model.index(rows["soon"], KeyColumn.STATE)) == "expiring"
    assert model.data(model.index(rows["soon"], KeyColumn.HELD)) == "yes"
    assert model.data(model.index(rows["old"], KeyColumn.STATE)) == "revoked"
    assert model.data(model.index(rows["never"], KeyColumn.EXPIRES)) == "never"
