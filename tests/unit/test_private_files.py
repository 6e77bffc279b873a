"""Every file TokenDeck creates is private to the user; the single-instance socket too."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tokendeck.storage.catalog import Catalog
from tokendeck.storage.profile import private_runtime_dir, resolve_profile, sha256_hex

CHILD = """
import logging, os, sys
from pathlib import Path
from tokendeck import cli
profile = Path(sys.argv[1])
cli.main(["token", "nobody", "--profile", str(profile)])  # sets the process's umask first
from tokendeck.app_logging import configure_logging
from tokendeck.storage.catalog import Catalog
configure_logging(profile / "logs" / "tokendeck.log")
logging.getLogger("test").warning("a line")
catalog = Catalog(profile / "fresh.sqlite3")
catalog.list_accounts()
os._exit(0)  # no clean close: the -wal and -shm files stay, as after a crash
"""


def test_every_file_a_tokendeck_process_creates_is_private(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    profile.mkdir(mode=0o700)
    Catalog(profile / "catalog.sqlite3").close()
    os.chmod(profile / "catalog.sqlite3", 0o600)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(profile)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "TOKENDECK_PROFILE": ""},
    )
    assert done.returncode == 0, done.stderr
    created = list(profile.rglob("*"))
    names = {p.name for p in created}
    assert {"fresh.sqlite3", "fresh.sqlite3-wal", "fresh.sqlite3-shm", "tokendeck.log"} <= names
    for path in created:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"


def test_the_instance_socket_lives_in_a_directory_only_this_user_enters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    key = Path(resolve_profile(tmp_path / "p").instance_key)
    assert key.parent == tmp_path / "tokendeck"
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700


def test_a_runtime_directory_someone_planted_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "attacker"
    elsewhere.mkdir(mode=0o777)
    runtime = tmp_path / "run"
    runtime.mkdir()
    (runtime / "tokendeck").symlink_to(elsewhere)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    chosen = private_runtime_dir()
    assert chosen != runtime / "tokendeck"
    assert elsewhere not in chosen.parents and chosen != elsewhere
    assert stat.S_IMODE(chosen.stat().st_mode) == 0o700


@pytest.mark.parametrize("data", [b"", b"/home/someone/.local/share/tokendeck", bytes(range(256))])
def test_the_instance_key_digest_is_hashlibs_sha256(data: bytes) -> None:
    """The socket's name keeps its digest whichever implementation gives it (a running
    TokenDeck of an earlier release is still found)."""
    import hashlib

    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()


def test_the_instance_key_needs_no_hashlib(tmp_path: Path) -> None:
    """Before the first paint nothing else loads OpenSSL's libcrypto (see profile.sha256_hex)."""
    script = (
        "import sys; from tokendeck.storage.profile import resolve_profile; "
        f"resolve_profile({str(tmp_path)!r}).instance_key; print('hashlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
