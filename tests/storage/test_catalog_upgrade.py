"""A profile made by an earlier release opens in this one, upgraded in place.

tests/data/catalog-v1.sqlite3 was written by the release before the role column (schema 1):
two accounts, a password, a session with its refresh token, an API key, a pasted token, and a
key whose secret was being saved when the process stopped (a pending journal row)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tokendeck.core.models import CredentialRole
from tokendeck.storage.catalog import SCHEMA_VERSION, Catalog, CatalogError

V1 = Path(__file__).resolve().parents[1] / "data" / "catalog-v1.sqlite3"


@pytest.fixture
def upgraded(tmp_path: Path) -> Catalog:
    path = tmp_path / "catalog.sqlite3"
    shutil.copyfile(V1, path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1, "the fixture is schema 1"
    catalog = Catalog(path)
    yield catalog
    catalog.close()


def test_each_credential_keeps_its_role_as_a_column(upgraded: Catalog) -> None:
    assert upgraded.schema_version == SCHEMA_VERSION
    roles = {c.id: c.role for c in upgraded.list_credentials()}
    assert roles == {
        "in-1": CredentialRole.INPUT,
        "se-1": CredentialRole.SESSION,
        "rf-1": CredentialRole.REFRESH,
        "ke-1": CredentialRole.KEY,
        "pa-1": None,
    }
    assert all("role" not in c.meta for c in upgraded.list_credentials()), "one place, not two"
    session = upgraded.get_credential("se-1")
    assert session is not None and dict(session.meta) == {"extra": {}, "renewable": True}
    key = upgraded.get_credential("ke-1")
    assert (
        key is not None and key.remote_id == "key-123" and dict(key.meta) == {"name": "CI pipeline"}
    )
    sessions = [c.id for c in upgraded.list_credentials() if c.role is CredentialRole.SESSION]
    assert sessions == ["se-1"]


def test_a_pending_secret_keeps_its_role_and_meta(upgraded: Catalog) -> None:
    (pending,) = upgraded.list_pending()
    assert pending.id == "pe-1"
    assert pending.role is CredentialRole.KEY
    assert dict(pending.meta) == {"name": "new key"}


def test_accounts_and_their_settings_are_untouched(upgraded: Catalog) -> None:
    accounts = {a.id: a for a in upgraded.list_accounts()}
    assert sorted(accounts) == ["acc-dataloop", "acc-haut"]
    dataloop = accounts["acc-dataloop"]
    assert dataloop.settings.to_json() == {
        "inputs": {"email": "dev@example.test"},
        "pinned": True,
        "warn_thresholds": [86400, 3600],
    }


def test_the_upgrade_is_done_once_and_a_role_outside_the_list_is_refused(
    upgraded: Catalog, tmp_path: Path
) -> None:
    path = upgraded.path
    upgraded.close()
    again = Catalog(path)  # opening the upgraded catalog again changes nothing
    try:
        assert again.schema_version == SCHEMA_VERSION
        assert len(again.list_credentials()) == 5
    finally:
        again.close()
    with sqlite3.connect(path) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE credentials SET role = 'admin' WHERE id = 'pa-1'")


def test_a_catalog_newer_than_this_release_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    shutil.copyfile(V1, path)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(CatalogError, match="newer TokenDeck"):
        Catalog(path)


def test_odd_rows_survive_the_upgrade_as_they_were(tmp_path: Path) -> None:
    """A meta that is not JSON, a role this release does not know, a journal row without meta:
    the upgrade moves only what it understands, keeps the rest, and every row still reads."""
    import json

    path = tmp_path / "catalog.sqlite3"
    shutil.copyfile(V1, path)
    pending = {
        "id": "odd", "account_id": None, "kind": "api_key", "label": "odd", "remote_id": None,
        "scopes": "[]", "created_at": None, "expires_at": None, "last_used_at": None,
        "state": "active", "secret_ref": "ref-odd",
    }  # fmt: skip
    with sqlite3.connect(path) as db:
        db.execute("UPDATE credentials SET meta = 'not json' WHERE id = 'pa-1'")
        db.execute(
            """UPDATE credentials SET meta = '{"role": "admin", "x": 1}' WHERE id = 'rf-1'"""
        )
        db.execute(
            "INSERT INTO pending_secrets VALUES ('ref-odd', ?, '2026-01-01T00:00:00+00:00')",
            (json.dumps({**pending, "meta": json.dumps({"role": "admin"})}),),
        )
        db.execute(
            "INSERT INTO pending_secrets VALUES ('ref-bare', ?, '2026-01-01T00:00:00+00:00')",
            (json.dumps({**pending, "id": "bare", "secret_ref": "ref-bare"}),),
        )
    catalog = Catalog(path)
    try:
        held = {c.id: c for c in catalog.list_credentials()}
        assert held["rf-1"].role is None and dict(held["rf-1"].meta) == {"role": "admin", "x": 1}
        assert held["pa-1"].role is None and dict(held["pa-1"].meta) == {}
        assert held["se-1"].role is CredentialRole.SESSION, "the others are still moved"
        pend = {c.id: c for c in catalog.list_pending()}
        assert pend["odd"].role is None and dict(pend["odd"].meta) == {"role": "admin"}
        assert pend["bare"].role is None and dict(pend["bare"].meta) == {}
        assert pend["pe-1"].role is CredentialRole.KEY
    finally:
        catalog.close()
