"""The leak guard itself must be able to fail."""

from __future__ import annotations

import time
from pathlib import Path

from tests.storage.conftest import _scan


def test_scan_finds_a_planted_secret(tmp_path: Path) -> None:
    since = time.time() - 1
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "log.txt").write_bytes(b"... token=tdtest-planted-value ...")
    assert _scan([tmp_path], since, [b"tdtest-planted-value"]) != []
    assert _scan([tmp_path], since, [b"tdtest-absent"]) == []
