"""View > Activity: what happened (accounts added, sessions renewed, keys created and revoked,
secrets copied, ...), newest first, from the audit log; filtered by kind and by text in any
column; exported as CSV. Never a secret: the log holds none (services/activity.py).

A window of its own (not modal), one per main window: opening it again raises it and reads the
log again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tokendeck.core.timefmt import utc_iso
from tokendeck.services.activity import HEADERS, KINDS, ActivityRow, cells, matches
from tokendeck.ui.column_fit import Column, FittedTable
from tokendeck.ui.dialog_fit import keep_text_whole
from tokendeck.ui.table_model import Index, RowTableModel
from tokendeck.ui.table_setup import configure_table
from tokendeck.ui.task_runner import MessageBanner, TaskRunner

if TYPE_CHECKING:
    from tokendeck.services.door import Door

ALL_KINDS = "Everything"
MINIMUM_WIDTH = 520
CSV_FILE = "tokendeck-activity.csv"


class ActivityModel(RowTableModel):
    headers = HEADERS

    def set_rows(self, rows: Sequence[ActivityRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[ActivityRow]:
        return list(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_value(index)
        if row is None or not 0 <= index.column() < len(self.headers):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return cells(row)[index.column()]
        return None


class ActivityFilter(QSortFilterProxyModel):
    """Rows of the chosen kind holding the search text (services.activity.matches)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._kinds: tuple[str, ...] = ()
        self._text = ""

    def choose(self, kinds: tuple[str, ...], text: str) -> None:
        self.beginFilterChange()
        self._kinds, self._text = kinds, text
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | Any) -> bool:
        model = self.sourceModel()
        if not isinstance(model, ActivityModel):
            return True
        row = model.row_value(model.index(source_row, 0))
        return row is not None and matches(row, self._kinds, self._text)

    def shown(self) -> list[ActivityRow]:
        model = self.sourceModel()
        assert isinstance(model, ActivityModel)
        out = []
        for r in range(self.rowCount()):
            row = model.row_value(self.mapToSource(self.index(r, 0)))
            if row is not None:
                out.append(row)
        return out


class ActivityWindow(QDialog):
    def __init__(self, door: Door, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._door = door
        self.setObjectName("activity-window")
        self.setWindowTitle("Activity — TokenDeck")
        self.setModal(False)
        self.model = ActivityModel(self)
        self.filter = ActivityFilter(self)
        self.filter.setSourceModel(self.model)

        self.kind = QComboBox()
        self.kind.setObjectName("activity-kind")
        self.kind.setAccessibleName("Show activity of this kind")
        self.kind.addItems([ALL_KINDS, *KINDS])
        self.search = QLineEdit()
        self.search.setObjectName("activity-search")
        self.search.setAccessibleName("Search the activity")
        self.search.setPlaceholderText("Search: an account, a key, an action…")
        self.search.setClearButtonEnabled(True)
        self.count = QLabel()
        self.count.setObjectName("activity-count")
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("activity-export")
        self.export_button.setAutoDefault(False)
        self.export_button.setToolTip("Save the rows shown as a CSV file")

        self.view = FittedTable()
        self.view.show_model(self.filter, HEADERS)
        # In order of importance: when and what stay in view on a narrow window; every cell's
        # tooltip is its whole text.
        when, what, account, credential, detail = range(len(HEADERS))
        self.columns = configure_table(
            self.view,
            "activity-table",
            "Activity",
            [
                Column(when, 150, (utc_iso(datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)),)),
                Column(what, 200),
                Column(account, 200),
                Column(credential, 240),
                Column(detail, 320),
            ],
            stretch=detail,  # the longest texts; on a narrow window "what" takes the rest
        )

        self.banner = MessageBanner()
        self.banner.hide()
        self.runner = TaskRunner(self.banner, None, self)

        top = QHBoxLayout()
        top.addWidget(self.kind)
        top.addWidget(self.search, 1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.banner)

        self.kind.currentIndexChanged.connect(self._refilter)
        self.search.textChanged.connect(self._refilter)
        self.export_button.clicked.connect(self._choose_csv_file)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        self.setMinimumWidth(MINIMUM_WIDTH)
        keep_text_whole(self)
        self.resize(860, 520)

    def reload(self) -> None:
        """Read the log again (off the UI thread); the table fills in when it is read."""
        door = self._door

        async def read() -> None:
            rows = await door.activity()
            self.model.set_rows(rows)
            self._refilter()

        self.count.setText("Reading the activity…")
        self.runner.run("Reading the activity", read())

    def _refilter(self) -> None:
        kind = self.kind.currentText()
        self.filter.choose(() if kind == ALL_KINDS else (kind,), self.search.text())
        shown, total = self.filter.rowCount(), self.model.rowCount()
        self.count.setText(
            f"{total} entries" if shown == total else f"{shown} of {total} entries shown"
        )

    def _choose_csv_file(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export the activity", str(Path.home() / CSV_FILE), "CSV (*.csv);;All files (*)"
        )
        if chosen:
            path = Path(chosen)
            self.export_csv(path if path.suffix else path.with_suffix(".csv"))

    def export_csv(self, path: Path) -> None:
        """The rows shown, as CSV at `path`, off the UI thread."""
        rows = self.filter.shown()
        door = self._door

        async def export() -> None:
            await door.export_activity(path, rows)
            self.runner.info(f"Exported {len(rows)} entries to {path}.")

        self.runner.run("Exporting the activity", export())
