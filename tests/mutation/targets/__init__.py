"""What mutation testing covers: one TOML file per module that guards secrets or time.

Each file names the tests that judge its module (keeping the list narrow keeps a run short) and the
survivors that cannot change behaviour, each with its diff and why it is equivalent.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# Every target must kill at least this share of its non-equivalent mutants.
REQUIRED_SCORE = 0.90


def targets() -> dict[str, dict[str, Any]]:
    """Each target's name (e.g. core.redaction) and its settings file's content."""
    return {path.stem: tomllib.loads(path.read_text()) for path in sorted(HERE.glob("*.toml"))}


def source_of(target: str) -> str:
    """The file a target mutates, relative to the package root's parent."""
    return "tokendeck/" + target.replace(".", "/") + ".py"
