"""Benches time TokenDeck as installed, not as the development venv runs it.

- `installed_python()`: a venv of its own (build/bench-venv) holding exactly the locked runtime
  dependencies (requirements.lock, hash-checked) and TokenDeck installed from this tree, as
  `pip install` gives a user. The development venv also holds test and lint tools, and a
  library's optional import finds them there: httpx's command line, tried on `import httpx`,
  loads rich, pygments and click (10 MiB and 40 ms that no installed TokenDeck pays). Making it
  needs the package index once (the lock) and at each run (pip's isolated build of this tree
  fetches setuptools, not hash-pinned: the bench's figures do not depend on it).
- `compile_tokendeck()`: pip, pipx and the .deb compile the package's bytecode at install time,
  while a source checkout run with PYTHONDONTWRITEBYTECODE would compile every module again in
  every timed run (for benches still run with the development interpreter).
"""

from __future__ import annotations

import compileall
import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "build" / "bench-venv"


def compile_tokendeck() -> None:
    import tokendeck

    compileall.compile_dir(Path(tokendeck.__file__).parent, quiet=1)


def installed_python() -> str:
    """The bench venv's interpreter, with the lock installed (again when it changed) and this
    tree's TokenDeck installed afresh (a wheel build: a few seconds)."""
    python = VENV / "bin" / "python"
    lock = ROOT / "requirements.lock"
    stamp = VENV / "requirements.lock.sha256"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if not python.exists() or not stamp.exists() or stamp.read_text() != digest:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run([*pip, "--require-hashes", "--no-deps", "-r", str(lock)], check=True)
        stamp.write_text(digest)
    subprocess.run([*pip, "--no-deps", "--force-reinstall", str(ROOT)], check=True, cwd=VENV)
    return str(python)
