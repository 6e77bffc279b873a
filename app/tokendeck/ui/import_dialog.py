"""File > Import…: credentials lying in plaintext files, imported into the secret store.

It opens on what the usual places hold (the Dataloop SDK's cookie.json, a .env here or at home);
Add files… reads more (an Encord key file, another .env). Each find is listed masked, with what
it becomes (an account, a tracked token); the checked ones are imported and read back. Then the
plaintext copies of the verified ones can be taken out of their files, after a question naming
the files. Every read and write runs off the UI thread through the door.

Longer than most modules: the dialog and its model of finds go together (the model holds the
check marks and the outcomes the dialog's buttons follow)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDir, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tokendeck.ui.column_fit import Column, FittedTable
from tokendeck.ui.dialog_fit import keep_text_whole
from tokendeck.ui.question import ask
from tokendeck.ui.table_model import ROOT, Index, RowTableModel
from tokendeck.ui.table_setup import configure_table
from tokendeck.ui.task_runner import MessageBanner, TaskRunner

if TYPE_CHECKING:
    from tokendeck.services.door import Door, Find, Imported, Scanned

HEADERS = ("Found", "Value", "In", "Becomes", "Status")
WHAT, VALUE, WHERE, BECOMES, STATUS = range(len(HEADERS))
MINIMUM_WIDTH = 560
NOTHING_YET = (
    "Nothing found in the usual places (~/.dataloop/cookie.json, .env here or at home). "
    "Add files to read: a .env file, the Dataloop SDK's cookie.json, an Encord SSH key file."
)


class FindsModel(RowTableModel):
    """One row per find, checkable in its first column; after the import, its outcome."""

    headers = HEADERS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._checked: list[bool] = []
        self._done: dict[int, Imported] = {}  # by row

    def add(self, finds: Sequence[Find]) -> None:
        """Append the finds not listed yet; one listed (same file and place) and not imported
        yet is replaced by the new reading (the file may have changed since)."""
        have = {(f.source, f.place): r for r, f in enumerate(self._rows)}
        new: list[Find] = []
        for find in finds:
            row = have.get((find.source, find.place))
            if row is None:
                new.append(find)
            elif row not in self._done:
                self._rows[row] = find
                self.dataChanged.emit(self.index(row, 0), self.index(row, STATUS))
        if not new:
            return
        first = len(self._rows)
        self.beginInsertRows(ROOT, first, first + len(new) - 1)
        self._rows.extend(new)
        self._checked.extend(True for _ in new)
        self.endInsertRows()

    def chosen(self) -> list[Find]:
        """The checked finds not imported yet."""
        return [f for r, f in enumerate(self._rows) if self._checked[r] and r not in self._done]

    def set_done(self, imported: Sequence[Imported]) -> None:
        rows = {id(f): r for r, f in enumerate(self._rows)}
        for item in imported:
            row = rows.get(id(item.find))
            if row is not None:
                self._done[row] = item
                self.dataChanged.emit(self.index(row, 0), self.index(row, STATUS))

    def verified(self) -> list[Imported]:
        return [i for i in self._done.values() if i.verified]

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == WHAT and index.row() not in self._done:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        find = self.row_value(index)
        if find is None or not 0 <= index.column() < len(HEADERS):
            return None
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == WHAT:
            if index.row() in self._done:
                return None
            on = self._checked[index.row()]
            return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(index.row(), find, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == WHAT:  # everything, for the columns a narrow dialog hides
                where = f"{find.source}, {find.place}"
                row = index.row()
                parts = [find.what, find.shown, where, f"Becomes the {find.becomes}."]
                return "\n".join([*parts, self._text(row, find, STATUS)])
            if column == WHERE:
                return f"{find.source}, {find.place}"
            return self._text(index.row(), find, column)
        return None

    def _text(self, row: int, find: Find, column: int) -> str:
        if column == WHAT:
            return str(find.what)
        if column == VALUE:
            return str(find.shown)
        if column == WHERE:
            return f"{find.source.name}, {find.place}"
        if column == BECOMES:
            return str(find.becomes)
        done = self._done.get(row)
        if done is None:
            return str(find.note) or "Not imported yet"
        return f"{done.outcome.value}. {done.message}"

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            role != Qt.ItemDataRole.CheckStateRole
            or self.row_value(index) is None
            or index.column() != WHAT
            or index.row() in self._done
        ):
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2)
        self._checked[index.row()] = checked
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True


class ImportDialog(QDialog):
    def __init__(self, door: Door, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._door = door
        self.setObjectName("import-dialog")
        self.setWindowTitle("Import from plaintext files — TokenDeck")
        self.model = FindsModel(self)

        intro = QLabel(
            "Credentials lying in plaintext files, found by what the files are. The checked "
            "ones are kept in the secret store and read back; then their plaintext copies can "
            "be taken out of the files."
        )
        intro.setWordWrap(True)
        self.view = FittedTable()
        self.view.show_model(self.model, self.model.headers)
        # In order of importance: what was found and what became of it stay in view; the
        # rest, hidden on a narrow dialog, is in the first column's tooltip.
        self.columns = configure_table(
            self.view,
            "import-table",
            "Credentials found",
            [
                Column(WHAT, 240),
                Column(STATUS, 260),
                Column(BECOMES, 260),
                Column(VALUE, 130),
                Column(WHERE, 280),
            ],
            stretch=WHAT,
        )
        self.found = QLabel()
        self.found.setObjectName("import-found")
        self.found.setWordWrap(True)
        self.found.setTextFormat(Qt.TextFormat.PlainText)
        self.problems = QPlainTextEdit()
        self.problems.setObjectName("import-problems")
        self.problems.setAccessibleName("What the files gave nothing for, and why")
        self.problems.setReadOnly(True)
        self.problems.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        lines = self.problems.fontMetrics().lineSpacing()
        self.problems.setFixedHeight(max(lines * 4 + 12, self.problems.minimumSizeHint().height()))
        self.problems.hide()

        self.add_button = QPushButton("Add files…")
        self.add_button.setObjectName("import-add-files")
        self.add_button.setAutoDefault(False)
        self.import_button = QPushButton("Import checked")
        self.import_button.setObjectName("import-run")
        self.remove_button = QPushButton("Take plaintext copies out…")
        self.remove_button.setObjectName("import-remove-plaintext")
        self.remove_button.setAutoDefault(False)
        self.remove_button.setToolTip(
            "Delete the imported values from their files (only those read back from the "
            "secret store, and only while the file still holds them)"
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        self.banner = MessageBanner()
        self.banner.hide()
        self.runner = TaskRunner(self.banner, None, self)

        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        row.addWidget(self.remove_button)
        row.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.found)
        layout.addWidget(self.problems)
        layout.addWidget(self.banner)
        layout.addLayout(row)
        layout.addWidget(buttons)

        self.add_button.clicked.connect(self._choose_files)
        self.import_button.clicked.connect(self.import_checked)
        self.remove_button.clicked.connect(self._confirm_removal)
        self.model.dataChanged.connect(self._update_buttons)
        self.model.rowsInserted.connect(self._update_buttons)
        self.runner.busy_changed.connect(self._update_buttons)
        self._problems: list[str] = []
        self._taken_out: set[int] = set()  # ids of the imports whose copies were taken out
        self._update_buttons()
        self.setMinimumWidth(MINIMUM_WIDTH)
        keep_text_whole(self)
        self.resize(1000, 480)

    def look_in_usual_places(self) -> None:
        door = self._door

        async def look() -> None:
            places = await door.plaintext_places()
            if places:
                self._show(await door.scan_plaintext(places))
            self._say_found()

        self.found.setText("Looking in the usual places…")
        self.runner.run("Looking for plaintext credentials", look())

    def read_files(self, paths: Sequence[Path]) -> None:
        door = self._door

        async def read() -> None:
            self._show(await door.scan_plaintext(paths))
            self._say_found()

        self.found.setText("Reading…")
        self.runner.run("Reading the files", read())

    def import_checked(self) -> None:
        chosen = self.model.chosen()
        if not chosen:
            return
        door = self._door

        async def run() -> None:
            imported = await door.import_plaintext(chosen)
            self.model.set_done(imported)
            good = sum(1 for i in imported if i.verified)
            said = f"{good} of {len(imported)} imported and read back from the secret store."
            if good < len(imported):
                self.runner.error(said + " See Status for the others.")
            else:
                self.runner.info(said)

        self.runner.run("Importing", run())

    def remove_plaintext(self) -> None:
        verified = self._to_take_out()
        door = self._door

        async def run() -> None:
            results = await door.remove_plaintext(verified)
            self._taken_out.update(id(i) for i in verified)  # once done: a failure may retry
            said = " ".join(r.message for r in results)
            if any(r.failed for r in results):
                self.runner.error(said)
            else:
                self.runner.info(said)
            self._update_buttons()

        self.runner.run("Taking the plaintext copies out", run())

    def _choose_files(self) -> QFileDialog:
        """The file chooser, opened without blocking (no nested event loop under asyncio)."""
        dialog = QFileDialog(self, "Files to read")
        dialog.setObjectName("import-files")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setFilter(dialog.filter() | QDir.Filter.Hidden)  # .env, ~/.dataloop
        dialog.setDirectory(str(Path.home()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(lambda paths: self.read_files([Path(p) for p in paths]))
        dialog.open()
        return dialog

    def _confirm_removal(self) -> QMessageBox:
        files = sorted({str(i.find.source) for i in self._to_take_out()})
        return ask(
            self,
            "import-question",
            "Take the plaintext copies out",
            "Take the imported values out of these files?",
            "They are in the secret store, read back. The rest of each file stays as it is; a "
            "key file is deleted.\n\n" + "\n".join(files),
            "Take them out",
            self.remove_plaintext,
        )

    def _to_take_out(self) -> list[Imported]:
        """The verified imports whose copies were not taken out yet."""
        return [i for i in self.model.verified() if id(i) not in self._taken_out]

    def _show(self, scanned: Scanned) -> None:
        self.model.add(scanned.finds)
        self._problems.extend(p for p in scanned.problems if p not in self._problems)

    def _say_found(self) -> None:
        count = self.model.rowCount()
        if not count:
            text = NOTHING_YET
        else:
            text = "1 credential found." if count == 1 else f"{count} credentials found."
        if self._problems:
            text += " Nothing to import from:"
        self.found.setText(text)
        self.problems.setPlainText("\n".join(self._problems))
        self.problems.setVisible(bool(self._problems))

    def _update_buttons(self, *_: object) -> None:
        busy = self.runner.busy
        chosen = bool(self.model.chosen())
        self.import_button.setEnabled(not busy and chosen)
        self.import_button.setDefault(chosen)
        self.remove_button.setEnabled(not busy and bool(self._to_take_out()))
        self.add_button.setEnabled(not busy)
