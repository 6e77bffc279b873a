"""The faster answer to PySide's "does this module use PySide?" is the same answer."""

from __future__ import annotations

import sys

import pytest

from tokendeck.ui import pyside_speedups


def test_the_faster_check_answers_as_pysides_own_for_every_loaded_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import PySide6.QtCore  # noqa: F401 - loads shibokensupport.feature

    feature = sys.modules["shibokensupport.feature"]
    current = feature._mod_uses_pyside
    upstream = getattr(current, "upstream", current)  # another test may have sped it up
    monkeypatch.setitem(feature.__dict__, "_mod_uses_pyside", upstream)
    modules = [m for m in list(sys.modules.values()) if getattr(m, "__file__", None)]
    expected = [upstream(m) for m in modules]
    pyside_speedups.faster_feature_check()
    faster = feature._mod_uses_pyside
    assert faster is not upstream
    assert [faster(m) for m in modules] == expected
    assert any(expected) and not all(expected)
    pyside_speedups.faster_feature_check()  # a second call keeps the first replacement
    assert feature._mod_uses_pyside is faster
