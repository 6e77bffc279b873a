"""What a platform is and yields, as plain data: its capabilities and add-account form, a
session, a key, the answer of a connection test. No HTTP here: the window and the services use
these without loading any adapter (see platforms/ for the adapters)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tokendeck.core.secret import Secret

# The accounts service adds each account's own label for what signing in creates on the
# platform (e.g. Trifacta's session token) to the inputs under this name, so that account's
# leftovers, and only its, can be found and cleaned.
SESSION_LABEL_INPUT = "_session_label"


@dataclass(frozen=True, slots=True)
class ExpiryChoice:
    label: str
    lifetime: timedelta | None  # None = never expires


@dataclass(frozen=True, slots=True)
class Field:
    """One input of the add-account form for a platform."""

    name: str
    label: str
    secret: bool = False
    required: bool = True
    default: str = ""
    help: str = ""
    multiline: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Capabilities:
    sign_in_methods: tuple[str, ...]
    fields: tuple[Field, ...]
    default_host: str
    refresh: bool = False
    list_keys: bool = False
    create_keys: bool = False
    revoke_keys: bool = False
    key_scopes: tuple[str, ...] = ()
    expiry_choices: tuple[ExpiryChoice, ...] = ()
    max_keys: int | None = None
    key_lifetime_fixed: timedelta | None = None
    keys_deprecated: bool = False
    probe: bool = True
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Session:
    """What signing in yields: the bearer token TokenDeck uses, and what renews it."""

    access: Secret
    expires_at: datetime | None = None
    refresh: Secret | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    # False when TokenDeck cannot renew this session by itself (e.g. a Dataloop API key used as
    # the bearer token): then it is something a person replaces, and its expiry warns.
    renewable: bool = True


@dataclass(frozen=True, slots=True)
class RemoteKey:
    id: str
    name: str
    created_at: datetime | None = None
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    revoked: bool = False
    deprecated: bool = False
    # Ids this key had in an earlier TokenDeck (e.g. Encord's plain digests before keyed ones):
    # a held key recorded under one of them is the same key.
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NewKey:
    key: RemoteKey
    secret: Secret


@dataclass(frozen=True, slots=True)
class ProbeResult:
    ok: bool
    status: int | None
    explanation: str
    who: str = ""


def explain_status(status: int | None) -> str:
    return {
        200: "200 OK: the token works.",
        401: "401: the token is invalid or expired.",
        403: "403: the token is valid but not allowed to do this.",
        404: "404: not found (wrong host, or the feature is off for this workspace).",
    }.get(status or 0, f"HTTP {status}" if status else "no answer (network error)")
