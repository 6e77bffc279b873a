"""The platforms' official Python SDKs, each in a virtual environment of its own, cached.

Each SDK is installed from its hash-pinned lock (tests/contract/locks/<name>.txt, made with
pip-compile --generate-hashes from its pin in SDKS) with --require-hashes, as the project's own
dependencies are: a new release of pydantic or requests cannot change what CI runs. A venv is
made once per lock and Python under the cache folder (TOKENDECK_SDK_CACHE, else
$XDG_CACHE_HOME/tokendeck-tests/sdk), never in the project's venv: their dependencies are theirs.
It counts as made only once the SDK imports in it.

TOKENDECK_SDK_LATEST=1 installs each SDK's newest release instead (but 0.1.145, a fixed
release), unpinned, into a fresh venv that is not kept: to see whether a new release still reads
the sandbox. Then refresh its lock.

Installing needs PyPI: where it cannot be reached, bare pytest skips (counted in the summary)
and scripts/test or CI fails, as for any other real part."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import REAL_PART, _real_parts_required

# name -> (the pin its lock was made from, the module that must import). `encord` current
# (bearer tokens, v2 listings); 0.1.145, the last release with the legacy project / dataset API
# keys (removed in 0.1.146): it stays that release under TOKENDECK_SDK_LATEST too.
SDKS = {
    "dtlpy": ("dtlpy==1.126.5", "dtlpy"),
    "encord": ("encord==0.1.211", "encord"),
    "encord-legacy": ("encord==0.1.145", "encord"),
}
FIXED_RELEASES = {"encord-legacy"}
LOCKS = Path(__file__).parent / "locks"
LATEST_ENV = "TOKENDECK_SDK_LATEST"
CACHE_ENV = "TOKENDECK_SDK_CACHE"
INSTALL_SECONDS = 900
LOCK_WAIT_SECONDS = 1200  # another run installing the same SDK


def cache_root() -> Path:
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tokendeck-tests" / "sdk"


def sdk_python(name: str, scratch: Path) -> Path:
    """The Python of a venv holding SDK `name`: the cached one made from its lock, or under
    TOKENDECK_SDK_LATEST a new one in `scratch` with its newest release."""
    pin, module = SDKS[name]
    if os.environ.get(LATEST_ENV) and name not in FIXED_RELEASES:
        venv = scratch / f"{name}-latest"
        _made_or_fail(name, pin.split("==")[0], venv, [pin.split("==")[0]], module)
        return venv / "bin" / "python"
    lock = LOCKS / f"{name}.txt"
    tag = hashlib.sha256(lock.read_bytes() + sys.version.encode()).hexdigest()[:12]
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    venv = root / f"{name}-{tag}"
    with (root / f"{name}.lock").open("w") as held:
        _lock(held, name)
        if not (venv / "installed").is_file():
            shutil.rmtree(venv, ignore_errors=True)  # a half-made one from a killed run
            _made_or_fail(name, pin, venv, ["--require-hashes", "-r", str(lock)], module)
            (venv / "installed").write_text(pin + "\n")
    return venv / "bin" / "python"


def _lock(held: object, name: str) -> None:
    """Wait (bounded) for another run that is installing the same SDK."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # type: ignore[arg-type]
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                pytest.fail(f"another run held the {name} SDK's install lock too long")
            time.sleep(1)


def _made_or_fail(name: str, wanted: str, venv: Path, pip_args: list[str], module: str) -> None:
    error = _install(venv, pip_args, module)
    if error is None:
        return
    shutil.rmtree(venv, ignore_errors=True)
    message = f"{REAL_PART}the {name} SDK ({wanted}) could not be installed: {error}"
    if _real_parts_required():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _install(venv: Path, pip_args: list[str], module: str) -> str | None:
    """None when a new venv at `venv` holds what pip installs and `module` imports there, else
    why not (pip's last lines)."""
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    home = tempfile.mkdtemp(prefix="tokendeck-sdk-home-")  # dtlpy makes ~/.dataloop on import
    steps = [
        ([sys.executable, "-m", "venv", str(venv)], None),
        ([*pip, *pip_args], None),
        ([python, "-c", f"import {module}"], {**os.environ, "HOME": home}),
    ]
    try:
        return _run(steps)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _run(steps: list[tuple[list[str], dict[str, str] | None]]) -> str | None:
    for step, env in steps:
        try:
            done = subprocess.run(
                step,
                capture_output=True,
                text=True,
                timeout=INSTALL_SECONDS,
                check=False,
                cwd=tempfile.gettempdir(),
                env=env,
            )
        except subprocess.TimeoutExpired:
            return f"{' '.join(step[:4])} took over {INSTALL_SECONDS} s"
        if done.returncode != 0:
            tail = [line for line in done.stderr.splitlines() if "WARNING" not in line][-5:]
            return " / ".join(tail) or f"exit {done.returncode}"
    return None
