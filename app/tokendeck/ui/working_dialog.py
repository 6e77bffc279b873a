"""A dialog that does its work in place: while Save / Sign in runs, the dialog stays open with a
busy bar, its inputs are disabled, and Cancel (or Esc) stops the work and keeps the dialog; a
failure shows by the field it is about, and anything else in the dialog's own banner."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from tokendeck.core.errors import TokenDeckError
from tokendeck.ui.problem_text import ProblemLabel
from tokendeck.ui.task_runner import BusyBar, MessageBanner, TaskRunner

T = TypeVar("T")
FieldWidget = QLineEdit | QComboBox | QPlainTextEdit


def error_label(object_name: str) -> QLabel:
    """The message under a field (a `ProblemLabel`): hidden until there is one, selectable."""
    label = ProblemLabel()
    label.setObjectName(object_name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class FormGrid:
    """Label / field rows, on a QGridLayout: QFormLayout lays out a wrapped message beside no
    label at its size hint's guess of lines rather than at its width, and cuts a long one.
    A row whose widgets are all hidden takes no room."""

    def __init__(self, parent: QWidget) -> None:
        self.grid = QGridLayout(parent)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setColumnStretch(1, 1)
        self._rows = 0

    def add(self, text: str, field: QWidget, object_name: str = "") -> QLabel:
        """A labelled row; the label names `field` for keyboard and screen readers."""
        label = QLabel(text)
        label.setBuddy(field)
        label.setObjectName(object_name or f"label-{field.objectName()}")
        row = self._next()
        if isinstance(field, QPlainTextEdit):
            # Beside the first line of a multi-line field, as a form layout would put it.
            label.setContentsMargins(0, 4, 0, 0)
            self.grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
        else:
            self.grid.addWidget(label, row, 0)
        self.grid.addWidget(field, row, 1)
        return label

    def under(self, widget: QWidget) -> None:
        """A row with `widget` in the field column (a message, a hint)."""
        self.grid.addWidget(widget, self._next(), 1)

    def across(self, widget: QWidget) -> None:
        """A row across both columns."""
        self.grid.addWidget(widget, self._next(), 0, 1, 2)

    def _next(self) -> int:
        self._rows += 1
        return self._rows - 1


def text_of(widget: FieldWidget) -> str:
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText().strip()
    return widget.text().strip()


@dataclass(frozen=True, slots=True)
class _Failed:
    error: TokenDeckError


class WorkingDialog(QDialog):
    """Subclasses put their inputs in `body`, lay out `body`, `banner`, `busy` and `buttons`,
    and say which error label and widget belong to a field name (`error_labels`, `field`)."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.body = QWidget()
        self.banner = MessageBanner()
        self.busy = BusyBar()
        self.busy.cancel.hide()  # the dialog's own Cancel stops the work
        self.runner = TaskRunner(self.banner, self.busy, self)
        self.runner.busy_changed.connect(self._working)
        self.buttons = QDialogButtonBox()
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        assert cancel is not None
        self.cancel_button: QPushButton = cancel
        self.buttons.rejected.connect(self.reject)
        self._focus_after: QWidget | None = None

    # -- size ------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            self.fit_to_content(shrink=False)
        return handled

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Laid out once shown: then as high as the content needs (a wrapped text's size hint
        # guesses its lines, and a guess too many leaves an empty band).
        QTimer.singleShot(0, self, lambda: self.fit_to_content(shrink=True))

    def fit_to_content(self, *, shrink: bool) -> None:
        """Keep every wrapped text whole. Qt does not apply height-for-width to a window: its
        minimum height is set here to what the content needs at the minimum width, and the
        window grows when its content needs more at its width (or, with `shrink`, is made
        exactly that high)."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        if not layout.hasHeightForWidth():
            return
        needed = layout.totalHeightForWidth(max(self.minimumWidth(), 1))
        if needed != self.minimumHeight():
            self.setMinimumHeight(needed)
        here = max(layout.totalHeightForWidth(self.width()), needed)
        if self.height() < here or (shrink and self.height() != here):
            self.resize(self.width(), here)

    # -- what subclasses say ----------------------------------------------------------------

    def error_labels(self) -> Mapping[str, QLabel]:
        """The error label of each field shown now, by field name."""
        return {}

    def field(self, name: str) -> QWidget | None:
        """The input a message about `name` belongs to (to focus it)."""
        return None

    # -- messages by field ------------------------------------------------------------------

    def show_problems(self, problems: Mapping[str, str]) -> None:
        """Each message by its field (every other field's message cleared); focus the first."""
        for name, label in self.error_labels().items():
            label.setText(problems.get(name, ""))
            label.setVisible(name in problems)
        first = next((n for n in problems if n in self.error_labels()), None)
        target = self.field(first) if first else None
        if target is not None:
            self._focus(target)

    def visible_errors(self) -> dict[str, str]:
        """The messages shown by fields now (field name -> text)."""
        return {n: lb.text() for n, lb in self.error_labels().items() if lb.isVisible()}

    def _focus(self, target: QWidget) -> None:
        if not self.body.isEnabled():
            self._focus_after = target  # when the inputs are enabled again
            return
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(target, QLineEdit | QPlainTextEdit):
            target.selectAll()

    # -- work in place ----------------------------------------------------------------------

    def attempt(
        self,
        label: str,
        work: Coroutine[Any, Any, T],
        done: Callable[[T], None],
        failed: Callable[[TokenDeckError], None],
    ) -> None:
        """Run `work` with the inputs disabled and a busy bar; then `done(result)` or, when it
        raised a TokenDeckError, `failed(error)`. Anything else shows in the banner."""
        self.banner.hide()

        async def guarded() -> T | _Failed:
            try:
                return await work
            except TokenDeckError as error:
                return _Failed(error)

        def finish(result: T | _Failed) -> None:
            if isinstance(result, _Failed):
                failed(result.error)
            else:
                done(result)

        self.runner.run(label, guarded(), finish)

    def _working(self, busy: bool) -> None:
        self.body.setEnabled(not busy)
        for button in self.buttons.buttons():
            if button is not self.cancel_button:
                button.setEnabled(not busy)
        self.cancel_button.setToolTip("Stop, and keep this dialog open" if busy else "")
        if busy:
            self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self._focus_after is not None:
            target, self._focus_after = self._focus_after, None
            self._focus(target)

    def reject(self) -> None:
        """Cancel / Esc / closing the window: stop the work if any runs, else close."""
        if self.runner.busy:
            # On the loop's next turn: a task cancelled before its first step would never
            # run the runner's clean-up, leaving the dialog busy for good.
            import asyncio

            asyncio.get_event_loop().call_soon(self.runner.cancel)
            return
        super().reject()
