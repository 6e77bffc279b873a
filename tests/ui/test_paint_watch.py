"""`after_paint`: once, at the widget's paint; soon for a widget that cannot paint; never lost."""

from __future__ import annotations

import gc
import sys

import pytest
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from tokendeck.ui.paint_watch import OnPaint, after_paint


def test_runs_once_at_the_paint_of_a_shown_widget(qtbot: QtBot) -> None:
    label = QLabel("rows")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    qtbot.wait(50)  # the first paint is over
    calls: list[bool] = []
    after_paint(label, lambda: calls.append(label.isVisible()), within_ms=60_000)
    assert calls == [], "not before the paint it asked for"
    qtbot.waitUntil(lambda: calls == [True], timeout=5000)
    label.repaint()
    qtbot.wait(50)
    assert calls == [True], "once"


def test_runs_soon_for_a_hidden_widget(qtbot: QtBot) -> None:
    label = QLabel("rows")
    qtbot.addWidget(label)
    calls: list[int] = []
    after_paint(label, lambda: calls.append(1), within_ms=60_000)
    assert calls == []
    qtbot.waitUntil(lambda: calls == [1], timeout=1000)


def test_runs_after_the_bound_when_no_paint_comes(qtbot: QtBot) -> None:
    label = QLabel("rows")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    label.setUpdatesEnabled(False)  # as a window no compositor paints: no paint event
    calls: list[int] = []
    after_paint(label, lambda: calls.append(1), within_ms=100)
    qtbot.wait(30)
    assert calls == []
    qtbot.waitUntil(lambda: calls == [1], timeout=2000)
    label.setUpdatesEnabled(True)
    label.repaint()
    qtbot.wait(50)
    assert calls == [1]


class _CountingLabel(QLabel):
    def __init__(self) -> None:
        super().__init__("rows")
        self.paints_done = 0

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.paints_done += 1


def test_runs_after_the_paint_not_inside_it(qtbot: QtBot) -> None:
    """What waits for a paint (building a tab, loading adapters) must not hold that paint: an
    event filter runs before the widget draws."""
    label = _CountingLabel()
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    qtbot.wait(50)
    done_before = label.paints_done
    seen: list[int] = []
    after_paint(label, lambda: seen.append(label.paints_done), within_ms=60_000)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen[0] > done_before, "the paint was over when it ran"


def test_a_failing_callback_is_reported_and_never_leaves_the_filter(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """An exception out of a Python event filter during a paint left PySide 6.11 with a freed
    object still referenced (the next garbage collection crashed the app): `OnPaint` reports it
    through sys.excepthook (the error reporter) instead."""
    reported: list[BaseException | None] = []
    monkeypatch.setattr(sys, "excepthook", lambda _type, value, _tb: reported.append(value))
    label = QLabel("rows")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)

    def fails() -> None:
        raise KeyError("a bug in what runs at the paint")

    watcher = OnPaint(label, fails)
    label.installEventFilter(watcher)
    label.update()
    qtbot.waitUntil(lambda: len(reported) == 1, timeout=5000)
    assert isinstance(reported[0], KeyError)
    gc.collect()
    label.repaint()
    qtbot.wait(50)
    assert len(reported) == 1, "once: the filter took itself off"
    assert "Error calling Python override" not in capfd.readouterr().err, "it left the filter"
