from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tokendeck.core.models import Account, Credential, CredentialKind, Platform
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.catalog import SCHEMA_VERSION, Catalog, CatalogError
from tokendeck.storage.profile import Profile


def _account(name: str = "Dataloop prod") -> Account:
    return Account(id="", name=name, platform=Platform.DATALOOP, host="https://gate.example")


def test_schema_wal_and_foreign_keys(profile: Profile) -> None:
    catalog = Catalog(profile.catalog_path)
    assert catalog.schema_version == SCHEMA_VERSION
    assert catalog.integrity_check() == "ok"
    mode = sqlite3.connect(profile.catalog_path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    namespace = catalog.namespace()
    catalog.close()
    again = Catalog(profile.catalog_path)
    assert again.namespace() == namespace
    again.close()


def test_newer_schema_is_refused(profile: Profile) -> None:
    Catalog(profile.catalog_path).close()
    db = sqlite3.connect(profile.catalog_path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    db.close()
    with pytest.raises(CatalogError, match="newer TokenDeck"):
        Catalog(profile.catalog_path)


def test_not_a_database_is_a_clear_error(profile: Profile) -> None:
    profile.catalog_path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CatalogError, match="Could not open the catalog"):
        Catalog(profile.catalog_path)


def test_accounts_credentials_cascade_and_audit(profile: Profile) -> None:
    catalog = Catalog(profile.catalog_path)
    account = catalog.add_account(_account())
    with pytest.raises(CatalogError, match="already exists"):
        catalog.add_account(_account())
    cred = catalog.upsert_credential(
        Credential(
            id="",
            kind=CredentialKind.API_KEY,
            label="ci key",
            account_id=account.id,
            secret_ref="ref-1",
            scopes=("a", "b"),
        )
    )
    assert catalog.get_credential(cred.id) == cred
    assert catalog.mark_fired(cred.id, 3600)
    assert not catalog.mark_fired(cred.id, 3600)
    refs = catalog.delete_account(account.id)
    assert refs == ["ref-1"]
    assert catalog.list_credentials() == []
    assert catalog.fired_thresholds(cred.id) == set()
    actions = [e.action for e in catalog.audit_log()]
    assert actions[:3] == ["account.remove", "credential.save", "account.add"]
    catalog.close()


def test_a_failed_transaction_leaves_nothing(profile: Profile) -> None:
    catalog = Catalog(profile.catalog_path)
    account = catalog.add_account(_account())
    bad = Credential(id="", kind=CredentialKind.API_KEY, label="x", account_id="no-such-account")
    with pytest.raises(sqlite3.IntegrityError):
        catalog.upsert_credential(bad)
    assert catalog.list_credentials() == []
    assert [e.action for e in catalog.audit_log()] == ["account.add"]
    assert catalog.get_account(account.id) is not None
    catalog.close()


WRITER = """
import sys
from tokendeck.core.models import Credential, CredentialKind
from tokendeck.storage.catalog import Catalog
catalog = Catalog(__import__("pathlib").Path(sys.argv[1]))
for i in range(150):
    catalog.upsert_credential(Credential(id="", kind=CredentialKind.PASTED_TOKEN, label=f"{sys.argv[2]}-{i}"))
catalog.close()
"""


def test_two_processes_write_at_once(profile: Profile, tmp_path: Path) -> None:
    Catalog(profile.catalog_path).close()
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(profile.catalog_path), name])
        for name in ("a", "b")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    catalog = Catalog(profile.catalog_path)
    assert len(catalog.list_credentials()) == 300
    assert catalog.integrity_check() == "ok"
    catalog.close()


async def test_async_catalog_runs_off_the_calling_thread(catalog: AsyncCatalog) -> None:
    import threading

    seen: list[str] = []

    def where(_sync: object) -> None:
        seen.append(threading.current_thread().name)

    await catalog._call(where)
    assert seen[0].startswith("catalog")
    account = await catalog.add_account(_account("async"))
    assert (await catalog.find_account("ASYNC")) == account
