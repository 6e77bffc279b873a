"""What packaging/build made: built once per test run (about 3 minutes; the build environment is
kept in build/venv between runs), or taken from TOKENDECK_BUILT_DIST when that names a dist/
folder already built from this checkout."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import tarfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from tests.conftest import ROOT


def _packaging_module(name: str) -> ModuleType:
    """A module of packaging/ (not importable by name: PyPI's `packaging` owns that name)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bundle_contents = _packaging_module("bundle_contents")
BUILT_DIST_ENV = "TOKENDECK_BUILT_DIST"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


@dataclass(frozen=True)
class Built:
    dist: Path

    def one(self, pattern: str) -> Path:
        found = sorted(self.dist.glob(pattern))
        assert len(found) == 1, f"{pattern} in {self.dist}: {[p.name for p in found]}"
        return found[0]

    @property
    def wheel(self) -> Path:
        return self.one(f"tokendeck-{VERSION}-py3-none-any.whl")

    @property
    def sdist(self) -> Path:
        return self.one(f"tokendeck-{VERSION}.tar.gz")

    @property
    def bundle(self) -> Path:
        return self.one(f"tokendeck-{VERSION}-linux-*.tar.gz")

    @property
    def deb(self) -> Path:
        return self.one(f"tokendeck_{VERSION}_*.deb")

    @property
    def bundle_modules(self) -> str:
        """The Python modules PyInstaller froze into the bundle (its PYZ table of contents,
        written next to the build by packaging/build)."""
        toc = ROOT / "build" / "packaging" / "pyinstaller-work" / "tokendeck" / "PYZ-00.toc"
        assert self.dist == ROOT / "dist" and toc.exists(), (
            "the bundle's module list is only known for a build of this checkout"
        )
        return toc.read_text()

    def unpack_bundle(self, into: Path) -> Path:
        """The bundle's folder, unpacked under `into` (as a user would: tar xzf)."""
        with tarfile.open(self.bundle) as tar:
            tar.extractall(into, filter="tar")
        return into / f"tokendeck-{VERSION}"


def build() -> Built:
    given = os.environ.get(BUILT_DIST_ENV)
    if given:
        return Built(Path(given))
    done = subprocess.run(
        [str(ROOT / "packaging" / "build")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert done.returncode == 0, f"packaging/build failed:\n{done.stderr[-6000:]}"
    return Built(ROOT / "dist")
