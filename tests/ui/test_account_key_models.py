from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt
from pytestqt.modeltest import ModelTester

from tokendeck.core.models import (
    Account,
    AccountSettings,
    AccountStatus,
    Credential,
    CredentialKind,
    CredentialRole,
    Platform,
)
from tokendeck.core.platform_types import RemoteKey
from tokendeck.core.verdict import Verdict
from tokendeck.services.keys import KeyView
from tokendeck.services.standing import ExpiryPolicy, HeldCredential
from tokendeck.ui.accounts_model import AccountColumn, AccountsModel, FilterProxy
from tokendeck.ui.keys_model import KeyColumn, KeysModel

NOW = datetime.now(UTC)


def test_accounts_model(qtmodeltester: ModelTester) -> None:
    policy = ExpiryPolicy()
    signed_in = Account(
        id="a",
        name="DL",
        platform=Platform.DATALOOP,
        host="https://gate.example",
        status=AccountStatus.SIGNED_IN,
    )
    calm = Account(
        id="c", name="Haut", platform=Platform.HAUT, host="h", status=AccountStatus.SIGNED_IN
    )
    session = Credential(
        id="s",
        kind=CredentialKind.SESSION_TOKEN,
        label="DL: session",
        account_id="a",
        expires_at=NOW + timedelta(minutes=3),
        role=CredentialRole.SESSION,
    )
    key = Credential(
        id="k",
        kind=CredentialKind.API_KEY,
        label="DL: ci key",
        account_id="a",
        expires_at=NOW + timedelta(days=2),
        role=CredentialRole.KEY,
    )
    haut_session = Credential(
        id="hs",
        kind=CredentialKind.SESSION_TOKEN,
        label="Haut: session",
        account_id="c",
        expires_at=NOW + timedelta(minutes=3),
        role=CredentialRole.SESSION,
    )
    model = AccountsModel()
    model.set_accounts(
        [
            (signed_in, (policy.hold(session, signed_in), policy.hold(key, signed_in))),
            (
                Account(
                    id="b",
                    name="Pasted",
                    platform=Platform.MANUAL,
                    host="",
                    status=AccountStatus.ERROR,
                    status_detail="boom",
                ),
                (),
            ),
            (calm, (policy.hold(haut_session, calm),)),
        ]
    )
    qtmodeltester.check(model, force_py=True)
    assert [model.account(r).name for r in range(3)] == ["DL", "Haut", "Pasted"], "by name"
    assert model.data(model.index(model.row_of("a"), AccountColumn.STATUS)) == "signed in"
    expiry = model.index(model.row_of("a"), AccountColumn.EXPIRY)
    model.tick(NOW, [])
    assert model.data(expiry) == "in 2 days", "the key a person replaces, not the session"
    assert "DL: ci key" in model.data(expiry, Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(model.row_of("b"), AccountColumn.EXPIRY)) == "—"
    assert model.data(model.index(model.row_of("c"), AccountColumn.EXPIRY)) == "renews itself"
    assert model.row_of("b") == 2


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
    assert model.data(model.index(rows["soon"], KeyColumn.STATE)) == "expires soon"
    assert model.data(model.index(rows["old"], KeyColumn.COUNTDOWN)) == "—"
    held_cell = model.index(rows["soon"], KeyColumn.HELD)
    assert model.data(held_cell) == "checking…", "until the secret store's check answers"
    model.presence.checked(frozenset())
    assert model.data(held_cell) == "yes"
    assert model.data(model.index(rows["old"], KeyColumn.HELD)) == "no"
    repainted: list[int] = []
    model.dataChanged.connect(lambda top, _bottom, _roles=None: repainted.append(top.column()))
    model.presence.checked(frozenset({"c"}))
    model.presence_changed()
    assert repainted == [KeyColumn.HELD]
    assert model.data(held_cell) == "missing"
    assert not model.held(model.row_value(held_cell))
    assert model.data(model.index(rows["old"], KeyColumn.STATE)) == "revoked"
    assert model.data(model.index(rows["never"], KeyColumn.EXPIRES)) == "never"


def test_a_pasted_token_account_is_not_said_to_be_signed_in(qtmodeltester: ModelTester) -> None:
    """Nothing was signed in to: the account holds a pasted token."""
    pasted = Account(
        id="m",
        name="Customer token",
        platform=Platform.MANUAL,
        host="",
        status=AccountStatus.SIGNED_IN,
    )
    remote = Account(
        id="d", name="DL", platform=Platform.DATALOOP, host="h", status=AccountStatus.SIGNED_IN
    )
    model = AccountsModel()
    model.set_accounts([(pasted, ()), (remote, ())])
    qtmodeltester.check(model)
    texts = {
        model.index(r, AccountColumn.NAME).data(): model.index(r, AccountColumn.STATUS).data()
        for r in range(2)
    }
    assert texts == {"Customer token": "token held", "DL": "signed in"}


def test_an_account_row_judges_its_credentials_once_per_tick(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Painting a row asks for its expiry cell in many roles; the headline judges every
    credential of the account, so it is judged once per tick, and anew at the next one."""
    policy = ExpiryPolicy()
    account = Account(id="a", name="A", platform=Platform.HAUT, host="h")
    keys = tuple(
        policy.hold(
            Credential(
                id=f"k{i}",
                kind=CredentialKind.API_KEY,
                label=f"key {i}",
                account_id="a",
                expires_at=NOW + timedelta(days=2 + i, seconds=30),
            ),
            account,
        )
        for i in range(10)
    )
    judged: list[str] = []
    verdict = HeldCredential.verdict

    def counted(self: HeldCredential, now: datetime) -> Verdict:
        judged.append(self.credential.id)
        return verdict(self, now)

    monkeypatch.setattr(HeldCredential, "verdict", counted)
    model = AccountsModel()
    model.set_accounts([(account, keys)])
    model.tick(NOW, [])
    judged.clear()
    expiry = model.index(0, AccountColumn.EXPIRY)
    for role in range(20):  # what a paint and a tooltip ask
        model.data(expiry, role)
    assert len(judged) == 10, "each credential once"
    assert model.data(expiry) == "in 2 days"
    model.tick(NOW + timedelta(days=1), [])
    judged.clear()
    assert model.data(expiry) == "in 1 day"
    assert len(judged) == 10
    model.set_accounts([(account, keys[3:])])
    assert model.data(expiry) == "in 4 days", "new rows are judged anew"


def test_accounts_sort_themselves_and_the_selection_follows(qtmodeltester: ModelTester) -> None:
    """The model sorts its rows (the proxy only filters): by text, or by the expiry that most
    needs a person; accounts with nothing that expires, or not read yet, come after."""
    policy = ExpiryPolicy()

    def account(key: str, name: str, platform: Platform) -> Account:
        return Account(id=key, name=name, platform=platform, host=f"{key}.example")

    def key(account_id: str, days: float) -> HeldCredential:
        credential = Credential(
            id=f"k-{account_id}",
            kind=CredentialKind.API_KEY,
            label=f"key of {account_id}",
            account_id=account_id,
            expires_at=NOW + timedelta(days=days),
        )
        return policy.hold(credential, None)

    rows = [
        (account("a", "beta", Platform.HAUT), (key("a", 300),)),
        (account("b", "Alpha", Platform.DATALOOP), (key("b", 0.5),)),  # expires soon
        (account("c", "gamma", Platform.ENCORD), ()),  # nothing that expires
        (account("d", "delta", Platform.HAUT), None),  # not read yet
        (account("e", "epsilon", Platform.HAUT), (key("e", 30),)),
    ]
    model = AccountsModel()
    model.set_accounts(rows)
    proxy = FilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy, force_py=True)

    def names() -> list[str]:
        return [proxy.data(proxy.index(r, AccountColumn.NAME)) for r in range(proxy.rowCount())]

    assert names() == ["Alpha", "beta", "delta", "epsilon", "gamma"], "by name at first"
    followed = QPersistentModelIndex(proxy.index(names().index("epsilon"), AccountColumn.NAME))
    proxy.sort(AccountColumn.EXPIRY, Qt.SortOrder.AscendingOrder)
    assert names()[:3] == ["Alpha", "epsilon", "beta"], "soonest to need a person first"
    assert sorted(names()[3:]) == ["delta", "gamma"]
    assert proxy.data(proxy.index(followed.row(), AccountColumn.NAME)) == "epsilon"
    proxy.sort(AccountColumn.PLATFORM, Qt.SortOrder.DescendingOrder)
    platforms = [
        proxy.data(proxy.index(r, AccountColumn.PLATFORM)) for r in range(proxy.rowCount())
    ]
    assert platforms == sorted(platforms, key=str.lower, reverse=True)
    assert proxy.data(proxy.index(followed.row(), AccountColumn.NAME)) == "epsilon"
    model.set_accounts(rows)
    assert [proxy.data(proxy.index(r, AccountColumn.PLATFORM)) for r in range(5)] == platforms, (
        "new rows keep the chosen order"
    )
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterFixedString("ALP")
    assert names() == ["Alpha"]


def test_sorted_by_next_expiry_a_row_moves_up_when_its_state_changes() -> None:
    """A key crossing into its account's warning window moves above the calm ones at that tick
    (within a state the order is by expiry, which time alone does not change)."""
    policy = ExpiryPolicy(thresholds=(timedelta(days=7),))
    rows = []
    for key, name, days, warn in (("n", "narrow", 10.0, ()), ("w", "wide", 20.0 + 1 / 24, (20,))):
        account = Account(
            id=key,
            name=name,
            platform=Platform.HAUT,
            host="h",
            settings=AccountSettings(warn_thresholds=tuple(d * 86400 for d in warn)),
        )
        credential = Credential(
            id=f"k-{key}",
            kind=CredentialKind.API_KEY,
            label=name,
            account_id=key,
            expires_at=NOW + timedelta(days=days),
        )
        rows.append((account, (policy.hold(credential, account),)))
    model = AccountsModel()
    model.tick(NOW, [])
    model.set_accounts(rows)
    model.sort(AccountColumn.EXPIRY, Qt.SortOrder.AscendingOrder)
    assert [model.account(r).name for r in range(2)] == ["narrow", "wide"], "both calm: by time"
    model.tick(NOW + timedelta(hours=2), [0, 1])  # "wide" is now inside its 20 days
    assert [model.account(r).name for r in range(2)] == ["wide", "narrow"]
