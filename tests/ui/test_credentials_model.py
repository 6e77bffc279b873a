from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from tokendeck.core.models import Credential, CredentialKind
from tokendeck.ui.credentials_model import Column, CredentialsModel

NOW = datetime.now(UTC)


def _creds() -> list[Credential]:
    return [
        Credential(
            id="a",
            kind=CredentialKind.API_KEY,
            label="expired",
            expires_at=NOW - timedelta(hours=1),
            secret_ref="r1",
        ),
        Credential(
            id="b",
            kind=CredentialKind.PASTED_TOKEN,
            label="soon",
            expires_at=NOW + timedelta(minutes=30),
        ),
        Credential(id="c", kind=CredentialKind.SESSION_TOKEN, label="never", account_id="acc"),
    ]


def test_model_passes_qt_model_tester(qtmodeltester: ModelTester) -> None:
    model = CredentialsModel()
    model.set_credentials(_creds(), {"acc": "Dataloop prod"})
    qtmodeltester.check(model, force_py=True)


def test_cells_and_tick_updates_only_given_rows() -> None:
    model = CredentialsModel()
    model.set_credentials(_creds(), {"acc": "Dataloop prod"})
    cell = lambda r, c: model.data(model.index(r, c))  # noqa: E731
    assert cell(0, Column.STATUS) == "expired"
    assert cell(1, Column.STATUS) == "expiring soon"
    assert cell(2, Column.EXPIRES) == "never"
    assert cell(2, Column.ACCOUNT) == "Dataloop prod"
    assert cell(0, Column.SECRET) == "yes"
    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom, _roles=None: changed.append(top.row()))
    model.tick(NOW + timedelta(hours=1), [1])
    assert changed == [1]
    assert cell(1, Column.STATUS) == "expired"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Label"


def test_sort_and_filter_in_the_model(qtmodeltester: ModelTester) -> None:
    model = CredentialsModel()
    model.set_credentials(_creds(), {"acc": "Dataloop prod"})
    qtmodeltester.check(model, force_py=True)
    labels = lambda: [model.credential(r).label for r in range(model.rowCount())]  # noqa: E731
    assert labels() == ["expired", "soon", "never"], "default: soonest expiry first"
    model.sort(Column.LABEL, Qt.SortOrder.AscendingOrder)
    assert labels() == ["expired", "never", "soon"]
    model.sort(Column.EXPIRES, Qt.SortOrder.DescendingOrder)
    assert labels() == ["never", "soon", "expired"]
    model.set_filter("DATALOOP")
    assert labels() == ["never"]
    model.set_filter("pasted")
    assert labels() == ["soon"]
    model.set_filter("")
    assert model.rowCount() == 3
