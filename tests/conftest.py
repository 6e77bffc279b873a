"""Shared fixtures: a fresh temporary profile per test, and the real desktop parts when present."""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tokendeck.storage.profile import PROFILE_ENV, Profile, resolve_profile

ROOT = Path(__file__).resolve().parent.parent


def need_desktop(*tools: str) -> None:
    """Skip when the real desktop stack is missing, except in CI, where that is a failure."""
    missing = [t for t in tools if shutil.which(t) is None]
    if not os.environ.get("DISPLAY"):
        missing.append("an X display ($DISPLAY)")
    if missing:
        message = f"needs {', '.join(missing)}: run the suite with scripts/test"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def need_secret_service() -> None:
    """Skip without a D-Bus Secret Service, except in CI, where that is a failure."""
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return
    message = "needs a Secret Service on D-Bus: run the suite with scripts/test"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_main_thread() -> Iterator[None]:
    """Free a test's Qt leftovers here, not later inside some worker thread (see ui/gc_guard)."""
    yield
    gc.collect()


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    root = tmp_path / "profile"
    monkeypatch.setenv(PROFILE_ENV, str(root))
    prof = resolve_profile(root)
    prof.ensure()
    return prof
