"""What every driver shares (stdlib only: it runs in the SDK's own venv, not the project's).

A driver reads its configuration as JSON on stdin (sandbox-only credentials never go on a
command line), runs its steps in order with the SDK, and prints one line
`CONTRACT-RESULT {"step": {"ok": true, "value": ...} | {"ok": false, "error": "Type: text"}}`.
A step's failure is recorded, not raised: the pytest side says which step broke and how."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

MARK = "CONTRACT-RESULT "


class Steps:
    def __init__(self) -> None:
        self.results: dict[str, dict[str, Any]] = {}

    def run(self, name: str, call: Callable[[], Any]) -> Any:
        try:
            value = call()
        except Exception as exc:  # the step's outcome, reported to the test
            self.results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:2000]}
            return None
        self.results[name] = {"ok": True, "value": _plain(value)}
        return value

    def report(self) -> None:
        sys.stdout.write(MARK + json.dumps(self.results) + "\n")
        sys.stdout.flush()


def config() -> dict[str, Any]:
    return json.loads(sys.stdin.read())


def _plain(value: Any) -> Any:
    """What JSON can carry of a step's value (SDK objects become their repr)."""
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value
