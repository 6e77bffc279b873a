"""A layout checker for any top-level widget: what a person would see as broken.

`layout_problems(top)` walks the visible descendants of `top` and reports:

- two visible leaf widgets that overlap (geometry mapped to `top`, each clipped by its
  ancestors, so a widget scrolled out of a scroll area or cut by its parent counts only for the
  part that is drawn);
- a visible label with text, or a field, that has zero width or height;
- a visible label or field squeezed below its minimum height (for a word-wrapped label: below
  the height its text needs at its width), so its text is cut;
- a visible label or field cut by the edge of a container (not counting scroll areas, whose
  viewport clips on purpose);
- a table whose shown columns run past its right edge (a column cut or behind a scroll bar).

Leaves are the widgets a person reads or uses: labels, line edits, text edits, combo boxes,
spin boxes, buttons (push, tool, check, radio), item views as a whole (tables, trees, lists),
progress bars, tab bars and the menu bar. The walk never descends into a leaf (the line edit
inside a spin box or combo box, a table's viewport, headers and editors belong to it), skips
scroll bars and size grips, skips separate windows (menus, popups, other dialogs), and inside a
QStackedWidget (which QTabWidget uses) only looks at the current page.

Exemptions (intentional overlays): none are needed by TokenDeck today. `ALLOWED_OVERLAPS` is the
place to add one, with the reason beside it; the self-test proves the checker fails without one.

`text_problems(top)` adds what a person cannot read: a character the fonts cannot draw (an
emoji without a glyph shows as a box), a label whose text colour has too little contrast with
its background (below 3:1, WCAG 2's floor for large text and UI parts: it catches a light-theme
colour on a dark palette and grey-on-grey; body text should reach 4.5:1, which is not enforced
here), and a status-bar message (QStatusBar.showMessage) with no room for it.

`foreign_platform_widgets(dialog)` is the Add-account check: every visible platform field of
the dialog (object name `field-<name>`) must belong to the platform chosen now, each once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QTextLayout
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenuBar,
    QPlainTextEdit,
    QProgressBar,
    QScrollBar,
    QSizeGrip,
    QStackedWidget,
    QStatusBar,
    QTabBar,
    QTableView,
    QTextEdit,
    QWidget,
)

LEAF_TYPES: tuple[type[QWidget], ...] = (
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractButton,
    QAbstractItemView,
    QProgressBar,
    QTabBar,
    QMenuBar,
    QAbstractSlider,
)
# Widgets a person reads or types into: they must have room for their text.
TEXT_TYPES: tuple[type[QWidget], ...] = (
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractButton,
)
SKIPPED_TYPES: tuple[type[QWidget], ...] = (QScrollBar, QSizeGrip)

# (object name of one widget, object name of the other, why the overlap is intended).
ALLOWED_OVERLAPS: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Leaf:
    widget: QWidget
    rect: QRect  # the whole widget, in the top level's coordinates
    drawn: QRect  # the part its ancestors let it draw
    scrolled: bool  # inside a scroll area's viewport (clipping there is intended)

    @property
    def name(self) -> str:
        return describe(self.widget)


def describe(widget: QWidget) -> str:
    """Enough to find the widget: its class and its name, accessible name or text."""
    text = ""
    for getter in ("objectName", "accessibleName"):
        text = str(getattr(widget, getter)())
        if text:
            break
    if not text and isinstance(widget, QLabel | QAbstractButton | QLineEdit):
        text = widget.text()
    if not text and isinstance(widget, QComboBox):
        text = widget.currentText()
    text = " ".join(text.split())
    if len(text) > 48:
        text = text[:45] + "…"
    return f"{type(widget).__name__}({text!r})"


def _children(widget: QWidget) -> list[QWidget]:
    return widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)


def leaves(top: QWidget) -> list[Leaf]:
    """The visible leaf widgets of `top`, with their geometry in `top`'s coordinates."""
    found: list[Leaf] = []

    def visit(widget: QWidget, clip: QRect, scrolled: bool) -> None:
        children = _children(widget)
        if isinstance(widget, QStackedWidget):
            current = widget.currentWidget()
            children = [c for c in children if c is current]
        viewport = widget.viewport() if isinstance(widget, QAbstractScrollArea) else None
        for child in children:
            if child.isWindow() or not child.isVisible() or isinstance(child, SKIPPED_TYPES):
                continue
            rect = QRect(child.mapTo(top, QPoint(0, 0)), child.size())
            drawn = rect.intersected(clip)
            inner = scrolled or child is viewport
            if isinstance(child, LEAF_TYPES):
                found.append(Leaf(child, rect, drawn, inner))
            else:
                visit(child, drawn, inner)

    visit(top, top.rect(), False)
    return found


def _allowed(a: QWidget, b: QWidget) -> bool:
    names = {a.objectName(), b.objectName()}
    return any({x, y} == names for x, y, _ in ALLOWED_OVERLAPS)


def _has_content(widget: QWidget) -> bool:
    if isinstance(widget, QLabel):
        pixmap = widget.pixmap()
        return bool(widget.text().strip()) or (pixmap is not None and not pixmap.isNull())
    return True


def _needed_height(widget: QWidget) -> int:
    if isinstance(widget, QLabel) and widget.wordWrap() and widget.text():
        return widget.heightForWidth(widget.width())
    return widget.minimumSizeHint().height()


def size_problems(leaf: Leaf) -> Iterator[str]:
    widget = leaf.widget
    if not isinstance(widget, TEXT_TYPES) or not _has_content(widget):
        return
    if widget.width() <= 0 or widget.height() <= 0:
        yield f"{leaf.name} is visible but {widget.width()}×{widget.height()} px"
        return
    needed = _needed_height(widget)
    if widget.height() < needed:
        yield f"{leaf.name} is {widget.height()} px high but needs {needed} px: its text is cut"
    if not leaf.scrolled and leaf.drawn != leaf.rect:
        yield (
            f"{leaf.name} is cut by its container: {leaf.drawn.width()}×{leaf.drawn.height()} "
            f"of {leaf.rect.width()}×{leaf.rect.height()} px drawn"
        )


def column_problems(leaf: Leaf) -> Iterator[str]:
    """A table whose shown columns run past its right edge: the last of them is cut, or hidden
    behind a horizontal scroll bar (ui/column_fit.py keeps them within the width)."""
    view = leaf.widget
    if not isinstance(view, QTableView) or view.model() is None:
        return
    header = view.horizontalHeader()
    overflow = header.length() - view.viewport().width()
    if overflow > 1:
        shown = [
            str(view.model().headerData(i, Qt.Orientation.Horizontal))
            for i in range(header.count())
            if not header.isSectionHidden(i)
        ]
        yield f"{leaf.name}'s columns ({', '.join(shown)}) run {overflow} px past its edge"


def layout_problems(top: QWidget) -> list[str]:
    """Everything `top` shows wrongly now (an empty list when it looks right)."""
    found = leaves(top)
    problems: list[str] = []
    for leaf in found:
        problems.extend(size_problems(leaf))
        problems.extend(column_problems(leaf))
    for i, a in enumerate(found):
        for b in found[i + 1 :]:
            overlap = a.drawn.intersected(b.drawn)
            if overlap.isEmpty() or _allowed(a.widget, b.widget):
                continue
            problems.append(
                f"{a.name} and {b.name} overlap by {overlap.width()}×{overlap.height()} px "
                f"at ({overlap.x()}, {overlap.y()})"
            )
    return problems


def foreign_platform_widgets(dialog: QWidget, field_names: set[str]) -> list[str]:
    """Visible platform fields (`field-<name>`) that the chosen platform does not have, or that
    are drawn more than once (the previous platform's copy left behind)."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for leaf in leaves(dialog):
        name = leaf.widget.objectName()
        if not name.startswith("field-"):
            continue
        field = name.removeprefix("field-")
        seen[field] = seen.get(field, 0) + 1
        if field not in field_names:
            problems.append(f"{leaf.name} belongs to another platform but is visible")
    problems.extend(
        f"field {field!r} is drawn {count} times" for field, count in seen.items() if count > 1
    )
    problems.extend(f"field {field!r} is not shown" for field in sorted(field_names - set(seen)))
    return problems


def missing_glyphs(text: str, font: QFont) -> list[str]:
    """The characters of `text` that no available font can draw (each shows as an empty box)."""
    missing: list[str] = []
    for char in sorted(set(text) - set(" \t\n\r\u2029\u2028")):
        layout = QTextLayout(char, font)
        layout.beginLayout()
        layout.createLine()
        layout.endLayout()
        if any(0 in run.glyphIndexes() for run in layout.glyphRuns()):
            missing.append(char)
    return missing


def _luminance(color: QColor) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.red())
        + 0.7152 * channel(color.green())
        + 0.0722 * channel(color.blue())
    )


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _shown_text(widget: QWidget) -> str:
    if isinstance(widget, QLabel):
        if widget.textFormat() == Qt.TextFormat.PlainText:
            return widget.text()
        from PySide6.QtGui import QTextDocument

        doc = QTextDocument()
        doc.setHtml(widget.text())
        return doc.toPlainText()
    if isinstance(widget, QAbstractButton | QLineEdit):
        return widget.text()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    return ""


def text_problems(top: QWidget, minimum_contrast: float = 3.0) -> list[str]:
    problems: list[str] = []
    for leaf in leaves(top):
        widget = leaf.widget
        text = _shown_text(widget)
        if text.strip():
            missing = missing_glyphs(text, widget.font())
            if missing:
                problems.append(
                    f"{leaf.name} shows {''.join(missing)!r}, which no font can "
                    "draw (an empty box on screen)"
                )
        if isinstance(widget, QLabel) and widget.isEnabled() and text.strip():
            fg = widget.palette().color(widget.foregroundRole())
            bg = widget.palette().color(widget.backgroundRole())
            ratio = contrast(fg, bg)
            if ratio < minimum_contrast:
                problems.append(
                    f"{leaf.name}: text {fg.name()} on {bg.name()} has contrast {ratio:.1f}:1 "
                    f"(needs {minimum_contrast}:1)"
                )
    for bar in [top] if isinstance(top, QStatusBar) else top.findChildren(QStatusBar):
        problems.extend(status_message_problems(bar))
    return problems


def status_message_problems(bar: QStatusBar) -> list[str]:
    """QStatusBar draws a temporary message itself, left of its widgets, and cuts it there."""
    message = bar.currentMessage()
    if not bar.isVisible() or not message:
        return []
    problems = [
        f"status message {message!r} shows {''.join(missing)!r}, which no font can draw"
        for missing in [missing_glyphs(message, bar.font())]
        if missing
    ]
    widgets = [
        c
        for c in _children(bar)
        if c.isVisible() and not c.isWindow() and not isinstance(c, QSizeGrip)
    ]
    right = min((c.x() for c in widgets), default=bar.width() - 12) - 2
    room = right - 6
    needed = bar.fontMetrics().horizontalAdvance(message)
    if needed > room:
        problems.append(
            f"status message {message!r} needs {needed} px but has {room} px: it is cut where "
            "the status bar's widgets start"
        )
    return problems
