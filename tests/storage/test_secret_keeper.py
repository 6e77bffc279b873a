from __future__ import annotations

from collections.abc import Callable

from tests.storage.conftest import FAST_SCRYPT
from tokendeck.core.models import Account, Credential, CredentialKind, Platform
from tokendeck.core.secret import Secret
from tokendeck.storage.catalog import AsyncCatalog, Catalog
from tokendeck.storage.profile import Profile
from tokendeck.storage.secret_keeper import SecretKeeper
from tokendeck.storage.secret_store import MemoryStore
from tokendeck.storage.vault import Vault


class SpyStore(MemoryStore):
    """Records what the catalog held at the moment the secret was written."""

    def __init__(self, catalog: AsyncCatalog) -> None:
        super().__init__()
        self.catalog = catalog
        self.seen: list[tuple[int, int]] = []

    async def set(self, ref: str, secret: Secret) -> None:
        pending = len(self.catalog.sync.list_pending())
        rows = len(self.catalog.sync.list_credentials())
        self.seen.append((pending, rows))
        await super().set(ref, secret)


def _key(account_id: str | None = None) -> Credential:
    return Credential(
        id="", kind=CredentialKind.API_KEY, label="new key", account_id=account_id, remote_id="k-1"
    )


async def test_write_before_show_order(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = SpyStore(catalog)
    keeper = SecretKeeper(catalog, store)
    value = secret_factory(40)
    stored = await keeper.keep_new_secret(_key(), value)
    assert store.seen == [(1, 0)], "the secret must be stored after the intent and before the row"
    assert await keeper.read(stored) == value
    assert catalog.sync.list_pending() == []
    assert catalog.sync.get_credential(stored.id) == stored


async def test_reconcile_reattaches_and_reports(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = MemoryStore()
    keeper = SecretKeeper(catalog, store)
    crashed_after_store = Credential(
        id="c1", kind=CredentialKind.API_KEY, label="stored", secret_ref="r1"
    )
    crashed_before_store = Credential(
        id="c2", kind=CredentialKind.API_KEY, label="not stored", secret_ref="r2"
    )
    for c in (crashed_after_store, crashed_before_store):
        await catalog.run(Catalog.begin_pending, catalog.sync, c)
    await store.set("r1", secret_factory(30))
    held_but_missing = await catalog.run(
        Catalog.upsert_credential,
        catalog.sync,
        Credential(id="c3", kind=CredentialKind.API_KEY, label="gone", secret_ref="r3"),
    )
    report = await keeper.reconcile()
    assert [c.id for c in report.reattached] == ["c1"]
    assert [c.id for c in report.lost] == ["c2"]
    assert [c.id for c in report.missing_secrets] == [held_but_missing.id]
    assert catalog.sync.get_credential("c1") is not None
    assert catalog.sync.get_credential("c3") is not None, "never deleted silently"
    assert "credential.lost" in [e.action for e in catalog.sync.audit_log()]
    assert (await keeper.reconcile(check_held=False)).clean


async def test_forget_account_removes_its_secrets(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = MemoryStore()
    keeper = SecretKeeper(catalog, store)
    account = await catalog.run(
        Catalog.add_account,
        catalog.sync,
        Account(id="", name="a", platform=Platform.HAUT, host="h"),
    )
    for _ in range(3):
        await keeper.keep_new_secret(_key(account.id), secret_factory(20))
    assert len(store.refs()) == 3
    await keeper.forget_account(account.id)
    assert store.refs() == []
    assert catalog.sync.list_accounts() == []


async def test_move_all_between_stores(
    catalog: AsyncCatalog, profile: Profile, secret_factory: Callable[[int], Secret]
) -> None:
    memory = MemoryStore()
    keeper = SecretKeeper(catalog, memory)
    values = [secret_factory(30) for _ in range(4)]
    creds = [await keeper.keep_new_secret(_key(), v) for v in values]
    vault = await Vault.create(profile.vault_path, Secret("correct horse battery"), FAST_SCRYPT)
    assert await keeper.move_all(vault) == 4
    assert memory.refs() == []
    reopened = await Vault.unlock(profile.vault_path, Secret("correct horse battery"))
    for cred, value in zip(creds, values, strict=True):
        assert await reopened.get(cred.secret_ref or "") == value
    assert keeper.store is vault
