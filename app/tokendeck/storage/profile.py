"""Where a TokenDeck profile keeps its files.

By default data goes to the user's data dir and logs to the user's state dir (platformdirs). A
`--profile DIR` option or the `TOKENDECK_PROFILE` variable puts everything under one directory
instead: tests and `--demo` use that for a throw-away profile.
"""

from __future__ import annotations

import os
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
        """Name of the single-instance socket: one running TokenDeck per profile."""
        import hashlib

        digest = hashlib.sha256(str(self.data_dir.resolve()).encode()).hexdigest()[:16]
        return f"tokendeck-{digest}"

    def ensure(self) -> None:
        for path in (self.data_dir, self.log_dir):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)


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
