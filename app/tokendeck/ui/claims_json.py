"""A token's header and payload as pretty-printed JSON, side by side on a wide Inspector and one
above the other on a narrow one, each titled in the colour of its part of the token; resting the
mouse on a registered claim's line explains the claim.

Plain text only (a claim holding HTML is shown as typed), read-only, in the fixed-width font."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontDatabase, QHelpEvent, QResizeEvent
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from tokendeck.core.token_decode import CLAIM_DOCS
from tokendeck.ui.reflow import orient
from tokendeck.ui.status_style import is_dark, token_part_color

SIDE_BY_SIDE_WIDTH = 640  # narrower, the payload goes under the header
_KEY = re.compile(r'^\s*"((?:[^"\\]|\\.)*)"\s*:')


class JsonView(QPlainTextEdit):
    """One part's JSON; a registered claim's meaning on hover."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.setReadOnly(True)
        self.setAccessibleName(what)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

    def claim_at(self, line: str) -> str | None:
        match = _KEY.match(line)
        return json.loads(f'"{match.group(1)}"') if match else None

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            line = self.cursorForPosition(event.pos()).block().text()
            name = self.claim_at(line)
            doc = CLAIM_DOCS.get(name or "")
            if doc:
                QToolTip.showText(event.globalPos(), f"{name}: {doc}", self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)


def pretty(value: Mapping[str, Any] | None) -> str:
    if value is None:
        return ""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


class ClaimsJson(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspector-json")
        self.header = JsonView("Header as JSON")
        self.payload = JsonView("Payload as JSON")
        self.header_title = QLabel("Header")
        self.payload_title = QLabel("Payload")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for title, view in ((self.header_title, self.header), (self.payload_title, self.payload)):
            column = QWidget()
            layout = QVBoxLayout(column)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(title)
            layout.addWidget(view, 1)
            self.splitter.addWidget(column)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._colour_titles()

    def show_parts(
        self,
        header: Mapping[str, Any] | None,
        payload: Mapping[str, Any] | None,
        payload_note: str = "",
    ) -> None:
        """The two parts; `payload_note` replaces the payload when it is not JSON (encrypted)."""
        self.header.setPlainText(pretty(header))
        self.payload.setPlainText(pretty(payload) if payload is not None else payload_note)

    def _colour_titles(self) -> None:
        dark = is_dark(self.palette())
        for index, title in enumerate((self.header_title, self.payload_title)):
            title.setStyleSheet(
                f"color: {token_part_color(index, dark=dark).name()}; font-weight: 600"
            )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._colour_titles()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        orient(self.splitter, self.width(), SIDE_BY_SIDE_WIDTH)
