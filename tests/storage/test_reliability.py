"""Fast versions of the reliability figures (bench/reliability_stores.py runs the full ones):
many processes writing one store at once lose nothing, and a full disk loses nothing."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from tests.conftest import need_secret_service
from tests.storage.reliability import run_disk_full_rlimit, run_disk_full_tmpfs, run_writers


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "writers", "operations"), [("vault", 6, 240), ("keyring", 4, 100)]
)
async def test_the_window_and_many_token_commands_writing_at_once_lose_no_write(
    tmp_path: Path, kind: str, writers: int, operations: int
) -> None:
    if kind == "keyring":
        need_secret_service()
    result = await run_writers(tmp_path / "profile", kind, writers, operations)
    print(f"\n{result}")
    assert result.errors == []
    assert result.lost == []
    if kind == "keyring":
        assert result.leftovers == 0


async def test_a_file_size_limit_reached_mid_save_raises_and_loses_no_secret(
    tmp_path: Path,
) -> None:
    assert resource.getrlimit(resource.RLIMIT_FSIZE)[0] == resource.RLIM_INFINITY
    result = await run_disk_full_rlimit(tmp_path / "profile", attempts=40)
    assert result.refused > 0, "the limit was never reached: the test proved nothing"
    assert result.saved > 0
    assert result.lost == []
    assert not result.opened_from_previous
    assert {m.split(":")[0] for m in result.messages} == {"VaultWriteError"}
    assert all("disk is full or over its quota" in m for m in result.messages)


def test_a_full_file_system_raises_and_loses_no_secret(tmp_path: Path) -> None:
    result = run_disk_full_tmpfs(tmp_path, attempts=80)
    if result.skipped:
        pytest.skip(result.skipped)
    assert result.refused > 0, "the tmpfs never filled: the test proved nothing"
    assert result.lost == []
    assert not result.opened_from_previous
    assert all(m.startswith("VaultWriteError") and "No space left" in m for m in result.messages)
