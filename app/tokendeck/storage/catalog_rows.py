"""Catalog rows to records and back: an account or credential as SQLite stores it, and the JSON
form a credential takes in the pending journal. Times are stored in UTC, ISO 8601."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from tokendeck.core.models import (
    Account,
    AccountSettings,
    AccountStatus,
    Credential,
    CredentialKind,
    CredentialRole,
    CredentialState,
    Platform,
)


def now_text() -> str:
    return datetime.now(UTC).isoformat()


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def new_id() -> str:
    import uuid  # not on the way to the first rows (it imports `platform`: about 5 ms)

    return str(uuid.uuid4())


def account_of(row: sqlite3.Row) -> Account:
    return Account(
        id=row["id"],
        name=row["name"],
        platform=Platform(row["platform"]),
        host=row["host"],
        username=row["username"],
        auth_method=row["auth_method"],
        settings=AccountSettings.from_json(json.loads(row["settings"])),
        status=AccountStatus(row["status"]),
        status_detail=row["status_detail"],
        created_at=dt(row["created_at"]),
        updated_at=dt(row["updated_at"]),
    )


def credential_of(row: sqlite3.Row) -> Credential:
    return credential_from_dict({k: row[k] for k in row.keys()})  # noqa: SIM118


def credential_dict(c: Credential) -> dict[str, Any]:
    return {
        "id": c.id,
        "account_id": c.account_id,
        "kind": c.kind.value,
        "label": c.label,
        "remote_id": c.remote_id,
        "scopes": json.dumps(list(c.scopes)),
        "created_at": iso(c.created_at),
        "expires_at": iso(c.expires_at),
        "last_used_at": iso(c.last_used_at),
        "state": c.state.value,
        "secret_ref": c.secret_ref,
        "meta": json.dumps(dict(c.meta)),
        "role": c.role.value if c.role else None,
    }


def credential_from_dict(d: Mapping[str, Any]) -> Credential:
    return Credential(
        id=d["id"],
        account_id=_shared(d["account_id"]),
        kind=CredentialKind(d["kind"]),
        label=d["label"],
        remote_id=d["remote_id"],
        scopes=tuple(json.loads(d["scopes"])),
        created_at=dt(d["created_at"]),
        expires_at=dt(d["expires_at"]),
        last_used_at=dt(d["last_used_at"]),
        state=CredentialState(d["state"]),
        secret_ref=d["secret_ref"],
        meta=_meta(d.get("meta")),
        role=_role(d.get("role")),
    )


# What most credentials carry as meta, one read-only mapping for all (not 10,000 empty dicts).
_NO_META: Mapping[str, Any] = MappingProxyType({})


def _meta(text: object) -> Mapping[str, Any]:
    """A credential's meta: a JSON object, else empty (a damaged value never stops a read)."""
    try:
        value = json.loads(text) if isinstance(text, str) and text != "{}" else None
    except ValueError:
        return _NO_META
    return value if isinstance(value, dict) and value else _NO_META


def _shared(account_id: str | None) -> str | None:
    """One string per account id however many credentials name it (a catalog of 10,000
    credentials read 10,000 copies of 200 ids)."""
    return sys.intern(account_id) if type(account_id) is str else account_id


def _role(value: object) -> CredentialRole | None:
    """A role this release knows, else None (the catalog's CHECK keeps the column to these)."""
    try:
        return CredentialRole(value) if isinstance(value, str) else None
    except ValueError:
        return None
