"""requirements.lock pins, with hashes, every runtime dependency at a version its floor admits.

Regenerate after changing the dependencies in pyproject.toml:
    pip-compile --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \\
        --no-emit-find-links --output-file requirements.lock pyproject.toml
"""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^ \\]+)")


def _locked() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes)."""
    found: dict[str, tuple[str, int]] = {}
    name = ""
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = PIN.match(line)
        if match:
            name = canonicalize_name(match.group(1))
            found[name] = (match.group(2), 0)
        elif "--hash=sha256:" in line and name:
            version, count = found[name]
            found[name] = (version, count + 1)
    return found


def test_every_runtime_dependency_is_pinned_with_hashes_within_its_floor() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = _locked()
    assert locked, "requirements.lock is empty"
    for text in project["dependencies"]:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements.lock"
        version, hashes = locked[name]
        assert requirement.specifier.contains(version), f"{name}=={version} breaks {requirement}"
        assert hashes >= 1, f"{name} has no hash"
    assert all(hashes >= 1 for _, hashes in locked.values())
