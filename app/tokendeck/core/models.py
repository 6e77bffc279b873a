"""What TokenDeck keeps track of: accounts on platforms, and the credentials they hold.

These are metadata only. A credential's secret value lives in the secret store under
`secret_ref`; nothing here ever holds one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Platform(StrEnum):
    DATALOOP = "dataloop"
    HAUT = "haut"
    ENCORD = "encord"
    VISUAL_LAYER = "visual_layer"
    TRIFACTA = "trifacta"
    OAUTH2 = "oauth2"
    MANUAL = "manual"


PLATFORM_NAMES: Mapping[Platform, str] = {
    Platform.DATALOOP: "Dataloop",
    Platform.HAUT: "Haut.AI",
    Platform.ENCORD: "Encord",
    Platform.VISUAL_LAYER: "Visual Layer",
    Platform.TRIFACTA: "Trifacta / Alteryx / Dataprep",
    Platform.OAUTH2: "OAuth 2.0 / OIDC",
    Platform.MANUAL: "Manual (pasted)",
}


class AccountStatus(StrEnum):
    SIGNED_IN = "signed_in"
    NEEDS_LOGIN = "needs_login"
    ERROR = "error"
    OFFLINE = "offline"


class CredentialKind(StrEnum):
    PASSWORD = "password"
    SESSION_TOKEN = "session_token"
    REFRESH_TOKEN = "refresh_token"
    API_KEY = "api_key"
    API_SECRET = "api_secret"
    PRIVATE_KEY = "private_key"
    CLIENT_SECRET = "client_secret"
    PASTED_TOKEN = "pasted_token"


# What a person calls each kind (the Tokens tab's Kind column, calendar events).
KIND_NAMES: Mapping[str, str] = {
    CredentialKind.PASSWORD: "Password",
    CredentialKind.SESSION_TOKEN: "Session token",
    CredentialKind.REFRESH_TOKEN: "Refresh token",
    CredentialKind.API_KEY: "API key",
    CredentialKind.API_SECRET: "API secret",
    CredentialKind.PRIVATE_KEY: "Private key",
    CredentialKind.CLIENT_SECRET: "Client secret",
    CredentialKind.PASTED_TOKEN: "Pasted token",
}


class CredentialRole(StrEnum):
    """What a credential of an account is for (None: a pasted token of no account)."""

    INPUT = "input"  # a secret the person entered: password, API secret, client secret, token
    SESSION = "session"  # the session token signing in gave (kind session_token)
    REFRESH = "refresh"  # the session's refresh token
    KEY = "key"  # an API key created through TokenDeck (`remote_id`: the platform's id)


class CredentialState(StrEnum):
    ACTIVE = "active"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    REVOKED = "revoked"


def _read_inputs(value: object) -> dict[str, str] | None:
    if isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return dict(value)
    return None


def _read_pinned(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _read_seconds(value: object) -> tuple[int, ...] | None:
    """Seconds before expiry, widest first: whole positive numbers below 1e12, else unread."""
    if not isinstance(value, list | tuple):
        return None
    seconds = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | float):
            return None
        if not (1 <= item < 1e12 and float(item).is_integer()):
            return None
        seconds.append(int(item))
    return tuple(sorted(set(seconds), reverse=True))


def _read_texts(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _read_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# Variables that decide how a program is found, loaded or run: a token in one of them would break
# the command (or run it differently), so `tokendeck exec` never puts one there.
RESERVED_ENV = frozenset(
    {"PATH", "HOME", "SHELL", "IFS", "ENV", "BASH_ENV", "PWD", "USER", "LANG", "TERM", "TMPDIR"}
)
RESERVED_ENV_PREFIXES = ("LD_", "DYLD_", "PYTHON", "LC_")


def is_env_name(text: str) -> bool:
    """A name a shell and every program accept for an environment variable."""
    return ENV_NAME.fullmatch(text) is not None


def env_name_problem(name: str) -> str | None:
    """Why `name` cannot hold a token for `tokendeck exec`, or None."""
    if not is_env_name(name):
        return (
            "a variable name is letters, digits and _, not starting with a digit (e.g. MY_TOKEN)."
        )
    if name.upper() in RESERVED_ENV or name.upper().startswith(RESERVED_ENV_PREFIXES):
        return f"{name} decides how programs are found or run: choose another name (e.g. MY_TOKEN)."
    return None


def _read_env_name(value: object) -> str | None:
    return value if isinstance(value, str) and is_env_name(value) else None


_READERS: Mapping[str, Callable[[object], object | None]] = {
    "inputs": _read_inputs,
    "pinned": _read_pinned,
    "warn_thresholds": _read_seconds,
    "allowed_origins": _read_texts,
    "ca_bundle": _read_text,
    "proxy": _read_text,
    "exec_env": _read_env_name,
}


@dataclass(frozen=True, slots=True)
class AccountSettings:
    """What an account keeps besides its columns, as JSON in the catalog (`to_json`).

    Read leniently (`from_json`): nothing in it is fatal, and nothing this release cannot read
    (a key of a later release, a value of another form) is lost: it is kept in `other` and
    written back as it was."""

    inputs: Mapping[str, str] = field(default_factory=dict)  # e-mail, client id… (never secret)
    pinned: bool = False  # its current token is offered in the tray menu
    warn_thresholds: tuple[int, ...] = ()  # seconds before expiry, widest first; (): the user's
    allowed_origins: tuple[str, ...] = ()  # other sites its requests may go to (outbound rule)
    ca_bundle: str = ""  # a CA file to verify its host with, else the system's
    proxy: str = ""
    exec_env: str = ""  # `tokendeck exec`'s variable for the token; "": the platform's default
    other: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: object) -> AccountSettings:
        """Each known key read exactly; a value this release cannot read exactly (of another
        type, or a form of a later release) is kept as it is in `other` and written back
        unchanged, never dropped. A null is the default."""
        if not isinstance(data, Mapping):
            return cls()
        typed: dict[str, Any] = {}
        other: dict[str, Any] = {}
        for key, raw in data.items():
            reader = _READERS.get(key)
            if reader is None:
                other[key] = raw
            elif raw is not None:
                value = reader(raw)
                if value is None:
                    other[key] = raw
                else:
                    typed[key] = value
        return cls(**typed, other=other)

    def to_json(self) -> dict[str, Any]:
        """Only what differs from the defaults, plus the keys kept from a later release."""
        out: dict[str, Any] = dict(self.other)
        if self.inputs:
            out["inputs"] = dict(self.inputs)
        if self.pinned:
            out["pinned"] = True
        if self.warn_thresholds:
            out["warn_thresholds"] = list(self.warn_thresholds)
        if self.allowed_origins:
            out["allowed_origins"] = list(self.allowed_origins)
        if self.ca_bundle:
            out["ca_bundle"] = self.ca_bundle
        if self.proxy:
            out["proxy"] = self.proxy
        if self.exec_env:
            out["exec_env"] = self.exec_env
        return out


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str
    platform: Platform
    host: str
    username: str = ""
    auth_method: str = ""
    settings: AccountSettings = field(default_factory=AccountSettings)
    status: AccountStatus = AccountStatus.NEEDS_LOGIN
    status_detail: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Credential:
    id: str
    kind: CredentialKind
    label: str
    account_id: str | None = None
    remote_id: str | None = None
    scopes: tuple[str, ...] = ()
    created_at: datetime | None = None
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    state: CredentialState = CredentialState.ACTIVE
    secret_ref: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    role: CredentialRole | None = None

    @property
    def secret_held(self) -> bool:
        return self.secret_ref is not None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    action: str
    account_id: str | None
    credential_id: str | None
    detail: str
