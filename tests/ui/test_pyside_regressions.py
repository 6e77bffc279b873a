"""PySide6 6.12.0 decrefs True on every Signal.emit(); the process aborts after ~1000 emits
(`Fatal Python error: bool_dealloc`). pyproject.toml excludes that release; this test fails on any
PySide6 that has the bug, so a new release with it cannot slip in."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(object)


def test_signal_emit_keeps_bool_refcounts() -> None:
    emitter = _Emitter()
    seen: list[object] = []
    emitter.fired.connect(seen.append)
    before_true, before_false = sys.getrefcount(True), sys.getrefcount(False)
    for i in range(50):
        emitter.fired.emit(i)
    assert len(seen) == 50
    assert sys.getrefcount(True) - before_true >= -5
    assert sys.getrefcount(False) - before_false >= -5
