from __future__ import annotations

import secrets
from collections.abc import Callable

import keyring

from tests.conftest import need_secret_service
from tests.storage.conftest import FAST_SCRYPT
from tests.storage.reliability import keyring_users
from tokendeck.core.models import Account, Credential, CredentialKind, Platform
from tokendeck.core.secret import Secret
from tokendeck.services.store_choice import NoStore
from tokendeck.storage.catalog import AsyncCatalog, Catalog
from tokendeck.storage.keyring_store import SERVICE, KeyringStore
from tokendeck.storage.profile import Profile
from tokendeck.storage.secret_keeper import SecretKeeper
from tokendeck.storage.secret_store import MemoryStore, SecretStoreError
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


class FailingStore(MemoryStore):
    """Memory, except that reading some refs fails (a damaged entry, a keyring that errs)."""

    def __init__(self, failures: dict[str, Exception]) -> None:
        super().__init__()
        self.failures = failures

    async def get(self, ref: str) -> Secret | None:
        if ref in self.failures:
            raise self.failures[ref]
        return await super().get(ref)


async def _journal(catalog: AsyncCatalog, *refs: str) -> None:
    for ref in refs:
        await catalog.run(
            Catalog.begin_pending,
            catalog.sync,
            Credential(id=f"id-{ref}", kind=CredentialKind.API_KEY, label=ref, secret_ref=ref),
        )


async def test_reconcile_never_raises_and_keeps_every_entry_it_could_not_check(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = FailingStore(
        {
            "damaged": SecretStoreError("Part 2 of a long secret is missing."),
            "odd": RuntimeError("backend exploded: tdtest-must-not-show"),
            "held-damaged": SecretStoreError("The keyring entry of this secret is damaged."),
        }
    )
    await _journal(catalog, "stored", "damaged", "odd", "never-stored")
    await store.set("stored", secret_factory(30))
    await catalog.run(
        Catalog.upsert_credential,
        catalog.sync,
        Credential(id="h", kind=CredentialKind.API_KEY, label="held", secret_ref="held-damaged"),
    )
    report = await SecretKeeper(catalog, store).reconcile()
    assert [c.secret_ref for c in report.reattached] == ["stored"]
    assert [c.secret_ref for c in report.lost] == ["never-stored"]
    assert sorted(c.secret_ref or "" for c in report.unchecked) == ["damaged", "odd"]
    assert [c.id for c in report.unreadable] == ["h"]
    assert sorted(c.secret_ref or "" for c in catalog.sync.list_pending()) == ["damaged", "odd"]
    summary = report.summary()
    assert "could not be checked" in summary
    assert "missing." in summary
    assert "tdtest-must-not-show" not in summary
    assert not report.clean


async def test_reconcile_against_no_open_store_drops_no_journal_entry(
    catalog: AsyncCatalog,
) -> None:
    await _journal(catalog, "a", "b")
    report = await SecretKeeper(catalog, NoStore()).reconcile()  # what the services use
    assert sorted(c.secret_ref or "" for c in report.unchecked) == ["a", "b"]
    assert report.lost == []
    assert len(catalog.sync.list_pending()) == 2
    assert "credential.lost" not in [e.action for e in catalog.sync.audit_log()]


async def test_reconcile_against_a_closed_vault_drops_no_journal_entry(
    catalog: AsyncCatalog, profile: Profile, secret_factory: Callable[[int], Secret]
) -> None:
    vault = await Vault.create(profile.vault_path, Secret("correct horse battery"), FAST_SCRYPT)
    await _journal(catalog, "a")
    await vault.aclose()
    report = await SecretKeeper(catalog, vault).reconcile()
    assert [c.secret_ref for c in report.unchecked] == ["a"]
    assert len(catalog.sync.list_pending()) == 1


async def test_reconcile_survives_an_unreadable_long_secret_in_the_real_keyring(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    need_secret_service()
    namespace = f"t-{secrets.token_hex(4)}"
    store = KeyringStore(namespace)
    keeper = SecretKeeper(catalog, store)
    await _journal(catalog, "torn", "whole")
    await store.set("torn", secret_factory(2600))
    await store.set("whole", secret_factory(2600))
    part = next(u for u in keyring_users(f"{namespace}:torn#") if u.endswith(".2"))
    keyring.delete_password(SERVICE, part)
    report = await keeper.reconcile()
    assert [c.secret_ref for c in report.reattached] == ["whole"]
    assert [c.secret_ref for c in report.unchecked] == ["torn"]
    assert [c.secret_ref for c in catalog.sync.list_pending()] == ["torn"]
    for ref in ("torn", "whole"):
        await store.delete(ref)
    assert keyring_users(f"{namespace}:") == []
    await store.aclose()
