"""The Tokens tab: every credential TokenDeck holds, with live countdowns, plus the Inspector."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tokendeck.core.errors import AlreadyTrackedError
from tokendeck.core.models import Credential
from tokendeck.core.secret import Secret
from tokendeck.core.verdict import STATE_TEXT
from tokendeck.ui.button_bar import ButtonBar
from tokendeck.ui.clipboard import ClipboardGuard
from tokendeck.ui.column_fit import COUNTDOWN_SAMPLES, FittedTable, time_samples
from tokendeck.ui.column_fit import Column as TableColumn
from tokendeck.ui.credentials_model import Column, CredentialRole, CredentialsModel
from tokendeck.ui.empty_state import EmptyState, LoadingState
from tokendeck.ui.icons import Act
from tokendeck.ui.reflow import orient
from tokendeck.ui.secret_presence import PRESENCE_TEXTS
from tokendeck.ui.table_setup import configure_table, visible_rows
from tokendeck.ui.task_runner import BusyBar, MessageBanner, TaskRunner
from tokendeck.ui.ticker import Ticker

if TYPE_CHECKING:
    from tokendeck.services.door import Door
    from tokendeck.services.key_lookup import KeyLookup
    from tokendeck.ui.inspector import InspectorPane

log = logging.getLogger(__name__)

SIDE_BY_SIDE_WIDTH = 1000  # narrower, the Inspector goes under the list of tokens


class TokensTab(QWidget):
    def __init__(
        self,
        door: Door,
        ticker: Ticker,
        clipboard: ClipboardGuard,
        settings: QSettings,
        key_lookup: Callable[[], KeyLookup] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("tokens-tab")
        self._ticker = ticker
        self._clipboard = clipboard
        self._settings = settings
        self._key_lookup = key_lookup
        self._door = door
        self._generation = 0
        self._select_next: str | None = None
        self._inspector: InspectorPane | None = None
        self.banner = MessageBanner()
        self.busy = BusyBar()
        self.runner = TaskRunner(self.banner, self.busy, self)

        self.model = CredentialsModel(self)
        self.view = FittedTable()
        self.view.show_model(self.model, self.model.headers)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(Column.EXPIRES, Qt.SortOrder.AscendingOrder)
        self.columns = configure_table(
            self.view,
            "tokens-table",
            "Held tokens",
            (
                TableColumn(Column.LABEL, 200),
                TableColumn(Column.STATUS, 90, tuple(STATE_TEXT.values()), icon=True),
                TableColumn(Column.COUNTDOWN, 110, COUNTDOWN_SAMPLES),
                TableColumn(Column.ACCOUNT, 140),
                TableColumn(Column.KIND, 110),
                TableColumn(Column.EXPIRES, 150, time_samples()),
                TableColumn(Column.SECRET, 70, PRESENCE_TEXTS),
            ),
            stretch=Column.LABEL,
        )
        self.view.doubleClicked.connect(lambda _: self.inspect_selected())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.search = QLineEdit()
        self.search.setObjectName("tokens-search")
        self.search.setPlaceholderText("Filter tokens…")
        self.search.setAccessibleName("Filter tokens")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.model.set_filter)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the secret; the clipboard is cleared after the timeout")
        self.copy_button.clicked.connect(self.copy_selected)
        self.inspect_button = QPushButton("Inspect")
        self.inspect_button.clicked.connect(self.inspect_selected)
        self.remove_button = QPushButton("Remove…")
        self.remove_button.clicked.connect(self.remove_selected)
        for button in (self.copy_button, self.inspect_button, self.remove_button):
            button.setEnabled(False)
        self.copy_action = QAction("Copy secret", self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy_selected)
        self.remove_action = QAction("Remove", self)
        self.remove_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.remove_action.triggered.connect(self.remove_selected)
        self.view.addActions([self.copy_action, self.remove_action])

        self.buttons = ButtonBar(
            ((self.copy_button, Act.COPY), (self.inspect_button, Act.INSPECT)),
            ((self.remove_button, Act.REMOVE),),
            words_kept_longest=(self.copy_button, self.inspect_button),
        )
        table_page = QWidget()
        table_layout = QVBoxLayout(table_page)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.search)
        table_layout.addWidget(self.buttons)
        table_layout.addWidget(self.view)
        self.empty = EmptyState(
            Act.TOKENS,
            "No tokens held yet",
            "Tokens appear here when you sign in to an account, create an API key, or paste a "
            "token into the Inspector and press “Track this token…”.",
        )
        self.held = QStackedWidget()
        self.held.setObjectName("held-tokens")
        self.held.addWidget(self.empty)
        self.held.addWidget(table_page)
        self.loading = LoadingState("Loading tokens…")
        self.held.addWidget(self.loading)
        self.held.setCurrentWidget(self.loading)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("tokens-splitter")
        self.splitter.addWidget(self.held)
        self.splitter.addWidget(QWidget())
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([560, 620])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.banner)  # under the content: a message never moves what is read
        layout.addWidget(self.busy)
        ticker.tick.connect(self._on_tick)

    # -- wiring -----------------------------------------------------------------------------

    @property
    def inspector(self) -> InspectorPane:
        """Built on first use: it is not on the path to the first paint."""
        if self._inspector is None:
            from tokendeck.ui.inspector import InspectorPane

            self._inspector = InspectorPane(self._ticker, self._key_lookup)
            self._inspector.track_requested.connect(self._track)
            # In a scroll area: the Inspector is tall, and the window must not need its height
            # (nor its width) to be resizable down to a laptop screen.
            # (Kept on self: PySide does not hand replaceWidget's widget over to Qt.)
            self.inspector_scroll = QScrollArea()
            self.inspector_scroll.setObjectName("inspector-scroll")
            self.inspector_scroll.setWidgetResizable(True)
            self.inspector_scroll.setFrameShape(QFrame.Shape.NoFrame)
            self.inspector_scroll.setWidget(self._inspector)
            placeholder = self.splitter.widget(1)
            self.splitter.replaceWidget(1, self.inspector_scroll)
            if placeholder is not None:
                placeholder.deleteLater()
            state = self._settings.value("window/tokens_splitter")
            if isinstance(state, QByteArray):
                self.splitter.restoreState(state)
            self._reflow()  # a saved state may hold the other orientation
        return self._inspector

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._reflow()

    def _reflow(self) -> None:
        """Tokens beside the Inspector on a wide window, above it on a narrow one: each keeps
        the width its columns and its JSON need."""
        if orient(self.splitter, self.width(), SIDE_BY_SIDE_WIDTH):
            wide = self.splitter.orientation() is Qt.Orientation.Horizontal
            extent = self.width() if wide else self.height()
            self.splitter.setSizes([extent // 2, extent - extent // 2])

    def show_unavailable(self, why: str) -> None:
        """The catalog did not open: say so where the tokens would be."""
        self.loading.setText(f"The tokens could not be loaded.\n\n{why}")
        self.held.setCurrentWidget(self.loading)

    def presence_changed(self) -> None:
        """The bulk check of the held secrets answered (see ui/wiring.py)."""
        self.model.presence_changed()
        self._update_buttons()

    def reload(self) -> None:
        self.runner.quietly("Loading the tokens", self._reload())

    async def _reload(self) -> None:
        self._generation += 1
        generation = self._generation
        held = await self._door.held_credentials()
        if generation != self._generation:
            return  # a newer reload started meanwhile
        selected = self.selected()
        scrolled = self.view.verticalScrollBar().value()
        self.model.set_credentials(held)
        self.held.setCurrentIndex(1 if held else 0)
        # A reload (a session renewed, a warning fired) keeps the row a person selected, and
        # a row asked for before it was listed (a notification opened at start) is selected now.
        wanted, self._select_next = self._select_next, None  # asked for: this reload only
        if wanted is None or not self._find(wanted, show=True):
            if selected is not None:
                self._find(selected.id, show=False)
            self.view.verticalScrollBar().setValue(scrolled)  # where the person left it
        self._update_buttons()

    # -- actions ----------------------------------------------------------------------------

    def select(self, credential_id: str) -> None:
        """Select that credential's row and show it; one not listed yet is selected when the
        rows next load."""
        self._select_next = None if self._find(credential_id) else credential_id

    def _find(self, credential_id: str, *, show: bool = True) -> bool:
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            value = self.model.data(index, CredentialRole)
            if isinstance(value, Credential) and value.id == credential_id:
                self.view.selectRow(row)
                if show:
                    self.view.scrollTo(index)
                return True
        return False

    def selected(self) -> Credential | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        value = self.model.data(rows[0], CredentialRole)
        return value if isinstance(value, Credential) else None

    def _update_buttons(self) -> None:
        credential = self.selected()
        held = credential is not None and self.model.presence.held(credential)
        self.copy_button.setEnabled(held)
        self.inspect_button.setEnabled(held)
        self.remove_button.setEnabled(credential is not None)

    def copy_selected(self) -> None:
        credential = self.selected()
        if credential is not None:
            self.runner.quietly(f"Copying “{credential.label}”", self._copy(credential))

    async def _copy(self, credential: Credential) -> None:
        secret = await self._door.reveal_token(credential)
        if secret is None:
            self.runner.error(f"The secret of “{credential.label}” is not in the secret store.")
            return
        self._clipboard.copy_secret(secret, credential.label)

    def inspect_selected(self) -> None:
        credential = self.selected()
        if credential is not None:
            self.runner.quietly(f"Reading “{credential.label}”", self._inspect(credential))

    async def _inspect(self, credential: Credential) -> None:
        secret = await self._door.reveal_token(credential)
        if secret is not None:
            self.inspector.set_text(secret.reveal())

    def remove_selected(self) -> None:
        credential = self.selected()
        if credential is None:
            return
        answer = QMessageBox.question(
            self,
            "Remove token",
            f"Remove “{credential.label}” from TokenDeck?\n\nIts secret is deleted from "
            f"{self._door.store_status().place}. This does not revoke it on any platform.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.runner.run(
                f"Removing “{credential.label}”",
                self._door.forget_token(credential),
                self.runner.notify_then(f"Removed “{credential.label}”.", self.reload),
            )

    def _track(self, label: str, token: Secret) -> None:
        """Track a pasted token; a failure keeps the pasted text and explains itself."""

        def tracked(result: Credential | AlreadyTrackedError) -> None:
            if isinstance(result, AlreadyTrackedError):  # not a failure: it is here already
                self.runner.info(str(result))
                existing = result.existing.id
                # Once the banner has taken its room: the row stays in view.
                QTimer.singleShot(0, self, lambda: self.select(existing))
                return
            where = self._door.store_status().place
            self.runner.info(f"Tracking “{result.label}”; its secret is in {where}.")
            self.reload()

        self.runner.run(f"Tracking “{label}”", self._track_new(label, token), tracked)

    async def _track_new(self, label: str, token: Secret) -> Credential | AlreadyTrackedError:
        try:
            return await self._door.track_token(label, token)
        except AlreadyTrackedError as exc:
            return exc

    # -- countdowns -------------------------------------------------------------------------

    def visible_source_rows(self) -> list[int]:
        return visible_rows(self.view)

    def _on_tick(self, now: datetime) -> None:
        """The model always knows the time; only the visible rows are repainted."""
        visible = self.isVisible() and self.model.rowCount()
        self.model.tick(now, self.visible_source_rows() if visible else [])
