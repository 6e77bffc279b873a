"""What a plaintext import works with: a find (a credential found in a file, what it is, what it
would become, and how its plaintext copy is taken out), a file's reading, and what became of a
find. Plain data: no disk, no catalog, no secret store."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tokendeck.core.models import Platform
from tokendeck.core.secret import Secret


class FindKind(enum.Enum):
    SDK_SESSION = "sdk_session"  # a sign-in from an SDK's cookie: an account holding it
    SSH_KEY = "ssh_key"  # a private key: an account signing in with it
    LEGACY_KEY = "legacy_key"  # a legacy API key with its resource: an account using it
    TRACKED = "tracked"  # a token in a variable: tracked (Tokens tab)


class Removal(enum.Enum):
    """How the plaintext copy is taken out of its file once the import is verified."""

    COOKIE_LOGIN = "cookie_login"  # the token and refresh token of one cookie environment
    ENV_LINES = "env_lines"  # the variable's lines in the .env file
    FILE = "file"  # the whole file (a private key file holding that key and nothing else)
    KEEP = "keep"  # left where it is (its note says why)


@dataclass(frozen=True, slots=True)
class Find:
    source: Path
    place: str  # where in the file, for a person: "line 4", "environment https://…"
    kind: FindKind
    what: str  # what it is, e.g. "Dataloop sign-in of ada@example.com"
    name: str  # the account's or the tracked token's name it would get
    shown: str  # the value masked, or the key's fingerprint
    # The secrets, by where they go: "session" / "refresh" (an account's session), a form field
    # ("private_key", "api_key"), or "token" (a tracked token).
    secrets: Mapping[str, Secret]
    platform: Platform | None = None
    host: str = ""
    inputs: Mapping[str, str] = field(default_factory=dict)
    expires_at: datetime | None = None
    note: str = ""
    removal: Removal = Removal.FILE
    removal_key: str = ""  # the cookie environment, or the variable's name

    @property
    def becomes(self) -> str:
        if self.kind is FindKind.TRACKED:
            return f"tracked token “{self.name}”"
        return f"account “{self.name}”"

    def __repr__(self) -> str:  # never the secrets
        return f"Find({self.kind.value} in {self.source}, {self.place})"


@dataclass(frozen=True, slots=True)
class Scanned:
    finds: list[Find]
    problems: list[str]  # one sentence per file or entry that gave nothing, saying why


class Outcome(enum.Enum):
    IMPORTED = "Imported"
    ALREADY_HELD = "Already held"
    NOT_IMPORTED = "Not imported"


@dataclass(frozen=True, slots=True)
class Imported:
    find: Find
    outcome: Outcome
    message: str  # one sentence for a person
    # What the plaintext holds is in the secret store, read back equal: its copy may go.
    verified: bool = False


@dataclass(frozen=True, slots=True)
class RemovalResult:
    path: Path
    removed: int  # how many of the finds were taken out
    message: str  # one sentence for a person
    failed: bool = False  # something asked for was not taken out (not: kept by design)
