"""Where a TokenDeck profile keeps its files.

By default data goes to the user's data dir and logs to the user's state dir (platformdirs). A
`--profile DIR` option or the `TOKENDECK_PROFILE` variable puts everything under one directory
instead: tests and `--demo` use that for a throw-away profile.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROFILE_ENV = "TOKENDECK_PROFILE"


@dataclass(frozen=True, slots=True)
class Profile:
    data_dir: Path
    log_dir: Path

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def vault_path(self) -> Path:
        return self.data_dir / "vault.tdvault"

    @property
    def settings_path(self) -> Path:
        return self.data_dir / "settings.ini"

    @property
    def log_path(self) -> Path:
        return self.log_dir / "tokendeck.log"

    @property
    def instance_key(self) -> str:
        """Path of the single-instance socket (one running TokenDeck per profile), inside a
        directory only this user can enter, so no other user can take or spoof it."""
        digest = sha256_hex(str(self.data_dir.resolve()).encode())[:16]
        if os.name == "nt":  # a named pipe, private to the session by Qt's UserAccessOption
            return f"tokendeck-{digest}"
        return str(private_runtime_dir() / f"instance-{digest}")

    def ensure(self) -> None:
        for path in (self.data_dir, self.log_dir):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)


def sha256_hex(data: bytes) -> str:
    """SHA-256 of `data` in hex, without importing `hashlib` where CPython's own implementation
    is there (`_sha2` from 3.12, `_sha256` before): hashlib loads OpenSSL's libcrypto (3 to 6
    ms), and the single-instance check needs this before the first paint, where nothing else
    does. The same digest either way (tests/unit/test_private_files.py)."""
    import importlib

    for name in ("_sha2", "_sha256"):
        try:
            return str(importlib.import_module(name).sha256(data).hexdigest())
        except ImportError:
            continue
    import hashlib

    return hashlib.sha256(data).hexdigest()


def private_runtime_dir() -> Path:
    """$XDG_RUNTIME_DIR/tokendeck when the session has one, else /tmp/tokendeck-UID; created 0700
    and refused unless it is a real directory owned by this user with no access for others."""
    uid = os.getuid()
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) / "tokendeck" if runtime and Path(runtime).is_dir() else None
    if base is None:
        base = Path(tempfile.gettempdir()) / f"tokendeck-{uid}"
    try:
        base.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(base)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid:
            raise PermissionError(base)
        if info.st_mode & 0o077:
            os.chmod(base, 0o700)
    except OSError:
        # Taken by someone else (or not ours): a fresh private directory is safe, at the cost of
        # not finding an instance started earlier.
        return Path(tempfile.mkdtemp(prefix="tokendeck-"))
    return base


def resolve_profile(explicit: str | os.PathLike[str] | None = None) -> Profile:
    chosen = explicit or os.environ.get(PROFILE_ENV)
    if chosen:
        root = Path(chosen).expanduser().resolve()
        return Profile(data_dir=root, log_dir=root / "logs")
    import platformdirs

    return Profile(
        data_dir=Path(platformdirs.user_data_dir("tokendeck", appauthor=False)),
        log_dir=Path(platformdirs.user_state_dir("tokendeck", appauthor=False)) / "logs",
    )
