"""The leak guard itself must be able to fail."""

from __future__ import annotations

from pathlib import Path

from tests.storage.conftest import _file_system_now, _scan


def test_scan_finds_a_planted_secret(tmp_path: Path) -> None:
    since = _file_system_now() - 1  # the file system's time: the process clock may be shifted
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "log.txt").write_bytes(b"... token=tdtest-planted-value ...")
    assert _scan([tmp_path], since, [b"tdtest-planted-value"]) != []
    assert _scan([tmp_path], since, [b"tdtest-absent"]) == []
