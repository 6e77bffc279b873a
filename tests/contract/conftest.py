"""The platforms' official SDKs, unchanged, against `tokendeck sandbox` (issue: the sandbox as
faithful as the platforms). Each module starts the sandbox as a person does (documented
lifetimes), runs one driver in the SDK's own venv (sdk_venvs.py), and checks its steps.

Skip them locally with `-m "not sdk_contract"` (the first run installs the SDKs from PyPI, about
two minutes; later runs reuse the venvs). The SDKs and their dependencies are hash-pinned in
tests/contract/locks."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.contract.sdk_venvs import sdk_python
from tests.sandbox_process import RunningSandbox, start_sandbox

DRIVERS = Path(__file__).parent / "drivers"
MARK = "CONTRACT-RESULT "
RUN_SECONDS = 300


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    running = start_sandbox()
    try:
        yield running
    finally:
        running.stop()


def run_driver(sdk: str, driver: str, cfg: dict[str, Any], home: Path) -> dict[str, Any]:
    """Every step's outcome of `driver` run by `sdk`'s Python, with `cfg` on its stdin."""
    home.mkdir(parents=True, exist_ok=True)
    python = sdk_python(sdk, home)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),  # dtlpy writes ~/.dataloop (its plaintext cookie.json) here
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    done = subprocess.run(
        [str(python), str(DRIVERS / driver)],
        input=json.dumps(cfg),
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=RUN_SECONDS,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    assert lines, f"{driver} reported nothing (exit {done.returncode}):\n{done.stderr[-4000:]}"
    results: dict[str, Any] = json.loads(lines[-1][len(MARK) :])
    return results


def value(results: dict[str, Any], step: str) -> Any:
    """The value of a step that must have succeeded."""
    outcome = results.get(step)
    assert outcome is not None, f"step {step!r} did not run: {sorted(results)}"
    assert outcome["ok"], f"step {step!r} failed: {outcome['error']}"
    return outcome["value"]


def error(results: dict[str, Any], step: str) -> str:
    """The error ("Type: text") of a step that must have failed."""
    outcome = results.get(step)
    assert outcome is not None, f"step {step!r} did not run: {sorted(results)}"
    assert not outcome["ok"], f"step {step!r} succeeded with {outcome['value']!r}"
    return str(outcome["error"])
