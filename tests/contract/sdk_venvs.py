"""The platforms' official Python SDKs, each in a virtual environment of its own, cached.

An SDK is installed once per pinned version under the cache folder (TOKENDECK_SDK_CACHE, else
$XDG_CACHE_HOME/tokendeck-tests/sdk), never into the project's venv: their dependencies (requests,
pydantic, old PyJWT pins) are theirs. TOKENDECK_SDK_LATEST=1 installs each SDK's newest release
instead of the pin (to see whether a new release still reads the sandbox; the pins are what CI
runs). Installing needs PyPI: where it cannot be reached, bare pytest skips (counted in the
summary) and scripts/test or CI fails, as for any other real part."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REAL_PART, _real_parts_required

# name -> the requirement installed. `encord` current (bearer tokens, v2 listings); 0.1.145, the
# last release with the legacy project / dataset API keys (removed in 0.1.146).
SDKS = {
    "dtlpy": "dtlpy==1.126.5",
    "encord": "encord==0.1.211",
    "encord-legacy": "encord==0.1.145",
}
LATEST_ENV = "TOKENDECK_SDK_LATEST"
CACHE_ENV = "TOKENDECK_SDK_CACHE"
INSTALL_SECONDS = 900


def cache_root() -> Path:
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tokendeck-tests" / "sdk"


def requirement(name: str) -> str:
    pinned = SDKS[name]
    return pinned.split("==")[0] if os.environ.get(LATEST_ENV) else pinned


def sdk_python(name: str) -> Path:
    """The Python of `name`'s venv, made (once per requirement and Python) if missing."""
    wanted = requirement(name)
    tag = hashlib.sha256(f"{wanted} {sys.version}".encode()).hexdigest()[:12]
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    venv = root / f"{name}-{tag}"
    python = venv / "bin" / "python"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs at once install it once
        if (venv / "installed").is_file():
            return python
        shutil.rmtree(venv, ignore_errors=True)  # a half-made one from a killed run
        error = _install(venv, wanted)
        if error is not None:
            shutil.rmtree(venv, ignore_errors=True)
            message = f"{REAL_PART}the {name} SDK ({wanted}) could not be installed: {error}"
            if _real_parts_required():
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        (venv / "installed").write_text(wanted + "\n")
    return python


def _install(venv: Path, wanted: str) -> str | None:
    """None when `wanted` is installed in a new venv at `venv`, else why not (pip's last lines)."""
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            wanted,
        ],
    ]
    for step in steps:
        try:
            done = subprocess.run(
                step, capture_output=True, text=True, timeout=INSTALL_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            return f"{' '.join(step[:4])} took over {INSTALL_SECONDS} s"
        if done.returncode != 0:
            tail = [line for line in done.stderr.splitlines() if "WARNING" not in line][-5:]
            return " / ".join(tail) or f"exit {done.returncode}"
    return None
