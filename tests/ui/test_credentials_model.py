from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester

from tokendeck.core.clock import ManualClock
from tokendeck.core.models import (
    Account,
    AccountStatus,
    Credential,
    CredentialKind,
    CredentialRole,
    CredentialState,
    Platform,
)
from tokendeck.services.standing import ExpiryPolicy, HeldCredential
from tokendeck.ui.credentials_model import Column, CredentialsModel
from tokendeck.ui.table_model import RowTableModel

# A fixed instant, far from the wall clock: the model judges by the clock it is given, so the
# test means the same on any day, however slow the run (a real clock turned "soon" into
# "expired" on a slow machine), and under a shifted system clock (scripts/test runs faketime).
NOW = datetime(2031, 3, 14, 15, 9, 26, tzinfo=UTC)


ACCOUNT = Account(
    id="acc",
    name="Dataloop prod",
    platform=Platform.DATALOOP,
    host="https://gate.example",
    status=AccountStatus.SIGNED_IN,
)


def _creds() -> list[HeldCredential]:
    return ExpiryPolicy().hold_all(_credentials(), {"acc": ACCOUNT})


def _model() -> CredentialsModel:
    model = CredentialsModel(clock=ManualClock(NOW))  # judged at the test's time, not the wall's
    model.set_credentials(_creds())
    return model


def _credentials() -> list[Credential]:
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
        Credential(
            id="d",
            kind=CredentialKind.SESSION_TOKEN,
            label="renewing",
            account_id="acc",
            expires_at=NOW + timedelta(minutes=4),
            role=CredentialRole.SESSION,
        ),
        Credential(
            id="e",
            kind=CredentialKind.API_KEY,
            label="revoked",
            account_id="acc",
            expires_at=NOW + timedelta(days=364),
            state=CredentialState.REVOKED,
        ),
    ]


def test_model_passes_qt_model_tester(qtmodeltester: ModelTester) -> None:
    model = _model()
    qtmodeltester.check(model, force_py=True)


def test_cells_and_tick_updates_only_given_rows() -> None:
    model = _model()
    rows = {model.credential(r).label: r for r in range(model.rowCount())}
    cell = lambda label, c: model.data(model.index(rows[label], c))  # noqa: E731
    assert cell("expired", Column.STATUS) == "expired"
    assert cell("soon", Column.STATUS) == "expires soon"
    assert cell("renewing", Column.STATUS) == "renews itself", "a renewing session is not orange"
    assert cell("revoked", Column.STATUS) == "revoked"
    assert cell("revoked", Column.COUNTDOWN) == "—", "a revoked key has no countdown"
    assert cell("never", Column.EXPIRES) == "never"
    assert cell("never", Column.ACCOUNT) == "Dataloop prod"
    assert cell("expired", Column.SECRET) == "checking…", "until the store answers"
    model.presence.checked(frozenset())
    assert cell("expired", Column.SECRET) == "yes"
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(
        lambda top, _bottom, _roles=None: changed.append((top.row(), top.column()))
    )
    model.tick(NOW + timedelta(hours=1), [rows["soon"]])
    assert changed == [(rows["soon"], Column.COUNTDOWN), (rows["soon"], Column.STATUS)]
    assert cell("soon", Column.STATUS) == "expired"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Label"


def test_sort_and_filter_in_the_model(qtmodeltester: ModelTester) -> None:
    model = _model()
    qtmodeltester.check(model, force_py=True)
    labels = lambda: [model.credential(r).label for r in range(model.rowCount())]  # noqa: E731
    assert labels() == ["expired", "renewing", "soon", "revoked", "never"], "soonest first"
    model.sort(Column.LABEL, Qt.SortOrder.AscendingOrder)
    assert labels() == ["expired", "never", "renewing", "revoked", "soon"]
    model.sort(Column.EXPIRES, Qt.SortOrder.DescendingOrder)
    assert labels() == ["never", "revoked", "soon", "renewing", "expired"]
    model.sort(Column.STATUS, Qt.SortOrder.AscendingOrder)
    assert labels()[:2] == ["expired", "soon"], "what needs a person first"
    model.set_filter("DATALOOP")
    assert sorted(labels()) == ["never", "renewing", "revoked"]
    model.set_filter("pasted")
    assert labels() == ["soon"]
    model.set_filter("")
    assert model.rowCount() == 5


def test_a_tick_repaints_only_the_visible_cells_whose_face_changed_in_runs() -> None:
    """An idle window stays idle: "in 1 h" does not change in a second, "in 4 min" does."""
    model = _model()
    emitted: list[tuple[int, int, int]] = []

    def repainted(top: QModelIndex, bottom: QModelIndex, _roles: object = None) -> None:
        assert top.column() == bottom.column(), "one column per repaint"
        emitted.append((top.row(), bottom.row(), top.column()))

    model.dataChanged.connect(repainted)
    rows = {model.credential(r).label: r for r in range(model.rowCount())}
    assert [rows["expired"], rows["renewing"], rows["soon"]] == [0, 1, 2]
    last = model.rowCount() - 1
    model.tick(NOW + timedelta(seconds=1), [last, 0, 1, 1, last + 5, -1])
    assert emitted == [(1, 1, Column.COUNTDOWN)], "only 'in 4 min' -> 'in 3 min 59 s'"
    emitted.clear()
    model.tick(NOW + timedelta(seconds=2), [0, 1])
    assert emitted == [(1, 1, Column.COUNTDOWN)], "a face is remembered from the last tick"
    emitted.clear()
    model.tick(NOW + timedelta(seconds=61), range(model.rowCount()))
    assert emitted == [(0, 2, Column.COUNTDOWN)], "one repaint for a run of changed rows"
    emitted.clear()
    model.tick(NOW + timedelta(minutes=31), [2])
    assert emitted == [(2, 2, Column.COUNTDOWN), (2, 2, Column.STATUS)], "soon -> expired"
    emitted.clear()
    model.tick(NOW + timedelta(minutes=31), [2, 3, 4])
    assert emitted == [], "the same time paints the same cells"


def test_the_cheap_tick_face_changes_exactly_when_the_painted_cells_do(qapp: QApplication) -> None:
    """The model's own face (texts and tone) stands for what `data()` paints (texts, colours,
    icons): a change one sees and the face misses would leave a stale cell on screen."""
    model = _model()
    seconds = (0, 1, 59, 60, 61, 239, 240, 1799, 1800, 1801, 3599, 3600, 86_400 * 400)
    for row in range(model.rowCount()):
        before: tuple[object, object] | None = None
        for s in seconds:
            model.tick(NOW + timedelta(seconds=s), [])  # the time only
            faces = (model._tick_face(row), RowTableModel._tick_face(model, row))
            if before is not None:
                assert (faces[0] != before[0]) == (faces[1] != before[1]), (row, s)
            before = faces


def test_a_theme_switch_repaints_the_tick_cells_at_the_next_tick(qapp: QApplication) -> None:
    """Qt repaints at once with the colours the model last read; the next tick reads the new
    palette and repaints the countdown and state cells, even those whose text did not change."""
    from PySide6.QtGui import QColor, QPalette

    before = qapp.palette()
    light, dark = QPalette(before), QPalette(before)
    light.setColor(QPalette.ColorRole.Window, QColor("#f0f0f0"))
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    qapp.setPalette(light)
    try:
        model = _model()
        rows = {model.credential(r).label: r for r in range(model.rowCount())}
        steady = rows["expired"]  # "1 h ago" for a while
        model.tick(NOW + timedelta(seconds=1), [steady])
        emitted: list[tuple[int, int]] = []
        model.dataChanged.connect(
            lambda top, _bottom, _roles=None: emitted.append((top.row(), top.column()))
        )
        qapp.setPalette(dark)
        model.tick(NOW + timedelta(seconds=2), [steady])
    finally:
        qapp.setPalette(before)
    assert emitted == [(steady, Column.COUNTDOWN), (steady, Column.STATUS)]
