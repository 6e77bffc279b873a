"""The wheel (what `pip install` and `pipx install` get): its contents, and a fresh virtual
environment with it and the locked dependencies runs `tokendeck`."""

from __future__ import annotations

import email.parser
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from tests.conftest import ROOT
from tests.packaging.built import VERSION, Built
from tests.packaging.smoke import check_commands


def test_the_wheel_holds_the_app_its_desktop_files_and_metadata(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        names = set(wheel.namelist())
        info = f"tokendeck-{VERSION}.dist-info"
        metadata = email.parser.Parser().parsestr(wheel.read(f"{info}/METADATA").decode())
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    resources = "tokendeck/resources"
    for needed in (
        f"{resources}/tokendeck.desktop",
        f"{resources}/io.github.tokendeck.TokenDeck.metainfo.xml",
        f"{resources}/icons/tokendeck.svg",
        *(f"{resources}/icons/tokendeck-{size}.png" for size in (16, 32, 48, 64, 128, 256)),
        f"{resources}/icons/tray-warning.svg",
        f"{resources}/icons/actions/copy.svg",
        f"{resources}/icons/actions/LICENSE-lucide.txt",
        f"{info}/licenses/LICENSE",
        "tokendeck/py.typed",
        "tokendeck/cli.py",
    ):
        assert needed in names, needed
    assert not [n for n in names if n.startswith(("tests/", "bench/", "packaging/"))]
    assert "tokendeck = tokendeck.cli:main" in entry_points
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert metadata["Name"] == "tokendeck"
    assert metadata["Version"] == VERSION
    assert metadata["License-Expression"] == "MIT"
    required = metadata.get_all("Requires-Dist") or []
    for dependency in project["dependencies"]:
        name = dependency.split(">")[0].split("[")[0].split(";")[0].strip()
        assert any(r.startswith(name) for r in required), name


def test_a_fresh_virtual_environment_with_the_wheel_runs_tokendeck(
    built: Built, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")

    def pip(*args: str) -> None:
        done = subprocess.run(
            [python, "-m", "pip", "--disable-pip-version-check", *args],
            capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    # The locked dependencies (hash-checked), then the wheel alone; `pip check` then says
    # whether what the wheel declares is met by what the lock pins.
    pip("install", "-q", "--require-hashes", "-r", str(ROOT / "requirements.lock"))
    pip("install", "-q", "--no-deps", str(built.wheel))
    pip("check")
    tokendeck = str(venv / "bin" / "tokendeck")
    check_commands([tokendeck], VERSION)
    # The resources are read from the installed package, not from this checkout.
    where = subprocess.run(
        [python, "-c",
         "from importlib import resources; "
         "r = resources.files('tokendeck.resources'); "
         "print(r.joinpath('tokendeck.desktop').read_text().splitlines()[0], r)"],
        capture_output=True, text=True, timeout=60, check=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    assert where.startswith("[Desktop Entry] ")
    assert str(venv) in where
    # Without the sandbox extra, --demo says how to get it.
    demo = subprocess.run(
        [tokendeck, "--demo"], capture_output=True, text=True, timeout=60, check=False
    )
    assert demo.returncode == 1
    assert "pip install 'tokendeck[sandbox]'" in demo.stderr
