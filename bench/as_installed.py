"""Benches time TokenDeck as installed: pip, pipx and the .deb compile the package's bytecode at
install time, while a source checkout run with PYTHONDONTWRITEBYTECODE (as here) would compile
every module again in every timed run."""

from __future__ import annotations

import compileall
from pathlib import Path


def compile_tokendeck() -> None:
    import tokendeck

    compileall.compile_dir(Path(tokendeck.__file__).parent, quiet=1)
