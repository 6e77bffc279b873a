"""The Tokens tab: every credential TokenDeck holds, with live countdowns, plus the Inspector."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tokendeck.core.models import Credential
from tokendeck.core.secret import Secret
from tokendeck.ui.clipboard import ClipboardGuard
from tokendeck.ui.credentials_model import Column, CredentialRole, CredentialsModel
from tokendeck.ui.empty_state import EmptyState, LoadingState
from tokendeck.ui.secret_presence import follow_presence
from tokendeck.ui.table_setup import configure_table, visible_rows
from tokendeck.ui.ticker import Ticker

if TYPE_CHECKING:
    import asyncio

    from tokendeck.services.app_services import AppServices
    from tokendeck.services.key_lookup import KeyLookup
    from tokendeck.ui.inspector import InspectorPane

log = logging.getLogger(__name__)


class TokensTab(QWidget):
    message = Signal(str)

    def __init__(
        self,
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
        self._services: AppServices | None = None
        self._generation = 0
        self._inspector: InspectorPane | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

        self.model = CredentialsModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(Column.EXPIRES, Qt.SortOrder.AscendingOrder)
        configure_table(
            self.view,
            "tokens-table",
            "Held tokens",
            (
                (Column.LABEL, 210),
                (Column.KIND, 100),
                (Column.ACCOUNT, 110),
                (Column.EXPIRES, 190),
                (Column.COUNTDOWN, 110),
                (Column.STATUS, 100),
            ),
        )
        self.view.doubleClicked.connect(lambda _: self.inspect_selected())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.search = QLineEdit()
        self.search.setObjectName("tokens-search")
        self.search.setPlaceholderText("Filter tokens…")
        self.search.setAccessibleName("Filter tokens")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.model.set_filter)
        style = self.style()
        self.copy_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton), "Copy"
        )
        self.copy_button.setToolTip("Copy the secret; the clipboard is cleared after the timeout")
        self.copy_button.clicked.connect(self.copy_selected)
        self.inspect_button = QPushButton("Inspect")
        self.inspect_button.clicked.connect(self.inspect_selected)
        self.remove_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_TrashIcon), "Remove…"
        )
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

        bar = QHBoxLayout()
        bar.addWidget(self.copy_button)
        bar.addWidget(self.inspect_button)
        bar.addStretch(1)
        bar.addWidget(self.remove_button)
        table_page = QWidget()
        table_layout = QVBoxLayout(table_page)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.search)
        table_layout.addLayout(bar)
        table_layout.addWidget(self.view)
        self.empty = EmptyState(
            style.standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView),
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
        layout.addWidget(self.splitter)
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
        return self._inspector

    def attach(self, services: AppServices) -> None:
        self._services = services
        follow_presence(services, self.model.presence, self._presence_changed)
        self.reload()

    def _presence_changed(self) -> None:
        self.model.presence_changed()
        self._update_buttons()

    def _run(self, coro: Coroutine[Any, Any, None]) -> None:
        import asyncio

        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def reload(self) -> None:
        self._run(self._reload())

    async def _reload(self) -> None:
        if self._services is None:
            return
        self._generation += 1
        generation = self._generation
        held = await self._services.tokens.held()
        if generation != self._generation:
            return  # a newer reload started meanwhile
        self.model.set_credentials(held)
        self.held.setCurrentIndex(1 if held else 0)
        self._update_buttons()

    # -- actions ----------------------------------------------------------------------------

    def select(self, credential_id: str) -> None:
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            value = self.model.data(index, CredentialRole)
            if isinstance(value, Credential) and value.id == credential_id:
                self.view.selectRow(row)
                self.view.scrollTo(index)
                return

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
        if credential is not None and self._services is not None:
            self._run(self._copy(credential))

    async def _copy(self, credential: Credential) -> None:
        assert self._services is not None
        try:
            secret = await self._services.tokens.reveal(credential)
        except Exception as exc:  # a store failure is shown, never raised into Qt
            self.message.emit(f"Could not read the secret of “{credential.label}”: {exc}")
            return
        if secret is None:
            self.message.emit(f"The secret of “{credential.label}” is not in the secret store.")
            return
        self._clipboard.copy_secret(secret, credential.label)

    def inspect_selected(self) -> None:
        credential = self.selected()
        if credential is not None and self._services is not None:
            self._run(self._inspect(credential))

    async def _inspect(self, credential: Credential) -> None:
        assert self._services is not None
        secret = await self._services.tokens.reveal(credential)
        if secret is not None:
            self.inspector.set_text(secret.reveal())

    def remove_selected(self) -> None:
        credential = self.selected()
        if credential is None or self._services is None:
            return
        answer = QMessageBox.question(
            self,
            "Remove token",
            f"Remove “{credential.label}” from TokenDeck?\n\nIts secret is deleted from "
            f"{self._services.store.description}. This does not revoke it on any platform.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._run(self._remove(credential))

    async def _remove(self, credential: Credential) -> None:
        assert self._services is not None
        try:
            await self._services.tokens.forget(credential)
        except Exception as exc:  # shown in the status bar; nothing was deleted from the catalog
            self.message.emit(f"Could not remove “{credential.label}”: {exc}")
            return
        self.message.emit(f"Removed “{credential.label}”.")
        await self._reload()

    def _track(self, label: str, token: Secret) -> None:
        if self._services is None:
            self.message.emit("Still starting: try again in a moment.")
            return
        self._run(self._track_async(label, token))

    async def _track_async(self, label: str, token: Secret) -> None:
        assert self._services is not None
        from tokendeck.services.tokens import AlreadyTrackedError

        try:
            stored = await self._services.tokens.track(label, token)
        except AlreadyTrackedError as exc:
            self.message.emit(str(exc))
            self.select(exc.existing.id)
            return
        except Exception as exc:  # a store failure keeps the pasted text and explains itself
            self.message.emit(f"Could not track “{label}”: {exc}")
            return
        self.message.emit(f"Tracking “{stored.label}” in {self._services.store.description}.")
        await self._reload()

    # -- countdowns -------------------------------------------------------------------------

    def visible_source_rows(self) -> list[int]:
        return visible_rows(self.view)

    def _on_tick(self, now: datetime) -> None:
        if self.isVisible() and self.model.rowCount():
            self.model.tick(now, self.visible_source_rows())
