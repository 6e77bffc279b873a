"""What TokenDeck keeps track of: accounts on platforms, and the credentials they hold.

These are metadata only. A credential's secret value lives in the secret store under
`secret_ref`; nothing here ever holds one.
"""

from __future__ import annotations

from collections.abc import Mapping
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


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str
    platform: Platform
    host: str
    username: str = ""
    auth_method: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)
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
