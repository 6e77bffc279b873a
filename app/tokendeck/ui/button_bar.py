"""A row of buttons that keeps every button on screen at any width.

Buttons show an icon and their words. When the row is narrower than that, buttons lose their
words, the least used first, and show only their icon; their words stay in the tooltip and in
the accessible name (what a screen reader says). Widening the row brings the words back. So the
window can shrink to its minimum without a button being cut or pushed off the edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QWidget

from tokendeck.ui.icons import Act, set_icon


@dataclass
class _Entry:
    button: QPushButton
    words: str
    tip: str
    full: int = 0  # width with its words
    bare: int = 0  # width with its icon only


class ButtonBar(QWidget):
    def __init__(
        self,
        left: Sequence[tuple[QPushButton, Act]],
        right: Sequence[tuple[QPushButton, Act]] = (),
        *,
        words_kept_longest: Sequence[QPushButton] = (),
        parent: QWidget | None = None,
    ) -> None:
        """`left` and `right` are the two groups, with their icons; `words_kept_longest` names
        the buttons that keep their words longest, most important first (the others lose
        theirs first, from the right end of the row)."""
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._entries: list[_Entry] = []
        for button, act in left:
            layout.addWidget(button)
            self._add(button, act)
        layout.addStretch(1)
        for button, act in right:
            layout.addWidget(button)
            self._add(button, act)
        kept = list(words_kept_longest)
        others = [e for e in reversed(self._entries) if e.button not in kept]
        by_button = {id(e.button): e for e in self._entries}
        self._losing_order = others + [by_button[id(b)] for b in reversed(kept)]

    def _add(self, button: QPushButton, act: Act) -> None:
        set_icon(button, act)
        entry = _Entry(button, button.text(), button.toolTip())
        self._entries.append(entry)
        self._measure(entry)

    def _measure(self, entry: _Entry) -> None:
        entry.button.setText(entry.words)
        entry.full = entry.button.sizeHint().width()
        entry.button.setText("")
        entry.bare = entry.button.sizeHint().width()
        entry.button.setText(entry.words)
        entry.button.setAccessibleName(entry.words.replace("&", ""))

    def set_words(self, button: QPushButton, words: str) -> None:
        """Change a button's words (a toggle's label), kept through compaction."""
        for entry in self._entries:
            if entry.button is button and entry.words != words:
                entry.words = words
                self._measure(entry)
        self._fit()

    def _spacing(self) -> int:
        layout = self.layout()
        count = len(self._entries)
        return layout.spacing() * max(0, count - 1) if layout is not None else 0

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        hint.setWidth(sum(e.bare for e in self._entries) + self._spacing())
        return hint

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        hint.setWidth(sum(e.full for e in self._entries) + self._spacing())
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        available = self.width() - self._spacing()
        needed = sum(e.full for e in self._entries)
        bare: set[int] = set()
        for entry in self._losing_order:
            if needed <= available:
                break
            bare.add(id(entry.button))
            needed -= entry.full - entry.bare
        for entry in self._entries:
            compact = id(entry.button) in bare
            entry.button.setText("" if compact else entry.words)
            plain = entry.words.replace("&", "")
            tip = f"{plain}: {entry.tip}" if entry.tip else plain
            entry.button.setToolTip(tip if compact else entry.tip)
