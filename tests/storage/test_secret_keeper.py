from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import pytest

from tests.conftest import need_secret_service
from tests.storage.conftest import FAST_SCRYPT
from tests.storage.reliability import keyring_users, tamper
from tokendeck.core.models import Account, Credential, CredentialKind, Platform
from tokendeck.core.secret import Secret
from tokendeck.services.store_choice import NoStore
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.catalog import Catalog, CatalogError
from tokendeck.storage.keyring_store import KeyringStore
from tokendeck.storage.profile import Profile
from tokendeck.storage.secret_keeper import MissingSecrets, ReconcileReport, SecretKeeper, ToKeep
from tokendeck.storage.secret_store import MemoryStore, SecretAbout, SecretStoreError
from tokendeck.storage.vault import Vault


class SpyStore(MemoryStore):
    """Records what the catalog held at the moment the secret was written."""

    def __init__(self, catalog: AsyncCatalog) -> None:
        super().__init__()
        self.catalog = catalog
        self.seen: list[tuple[int, int]] = []

    async def set(self, ref: str, secret: Secret, about: SecretAbout | None = None) -> None:
        pending = len(self.catalog._sync.list_pending())
        rows = len(self.catalog._sync.list_credentials())
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
    assert catalog._sync.list_pending() == []
    assert catalog._sync.get_credential(stored.id) == stored


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
        await catalog.begin_pending(c)
    await store.set("r1", secret_factory(30))
    held_but_missing = await catalog.upsert_credential(
        Credential(id="c3", kind=CredentialKind.API_KEY, label="gone", secret_ref="r3"),
    )
    report = await keeper.reconcile()
    assert [c.id for c in report.reattached] == ["c1"]
    assert [c.id for c in report.lost] == ["c2"]
    assert not report.missing_secrets, "the journal alone: held secrets are checked apart"
    held = await keeper.check_held()
    assert held.missing_secrets.ids == {held_but_missing.id}
    assert not held.held_unknown
    assert catalog._sync.get_credential("c1") is not None
    assert catalog._sync.get_credential("c3") is not None, "never deleted silently"
    assert "credential.lost" in [e.action for e in catalog._sync.audit_log()]
    assert (await keeper.reconcile()).clean


async def test_forget_account_removes_its_secrets(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = MemoryStore()
    keeper = SecretKeeper(catalog, store)
    account = await catalog.add_account(
        Account(id="", name="a", platform=Platform.HAUT, host="h"),
    )
    for _ in range(3):
        await keeper.keep_new_secret(_key(account.id), secret_factory(20))
    assert len(store.refs()) == 3
    await keeper.forget_account(account.id)
    assert store.refs() == []
    assert catalog._sync.list_accounts() == []


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
        await catalog.begin_pending(
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
    await catalog.upsert_credential(
        Credential(id="h", kind=CredentialKind.API_KEY, label="held", secret_ref="held-damaged"),
    )
    report = await SecretKeeper(catalog, store).reconcile()
    assert [c.secret_ref for c in report.reattached] == ["stored"]
    assert [c.secret_ref for c in report.lost] == ["never-stored"]
    assert sorted(c.secret_ref or "" for c in report.unchecked) == ["damaged", "odd"]
    assert report.unreadable == [], "held secrets are not read at start-up"
    assert sorted(c.secret_ref or "" for c in catalog._sync.list_pending()) == ["damaged", "odd"]
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
    assert len(catalog._sync.list_pending()) == 2
    assert "credential.lost" not in [e.action for e in catalog._sync.audit_log()]
    assert report.problems == ["no secret store is open to check them against"]


async def test_reconcile_against_a_closed_vault_drops_no_journal_entry(
    catalog: AsyncCatalog, profile: Profile, secret_factory: Callable[[int], Secret]
) -> None:
    vault = await Vault.create(profile.vault_path, Secret("correct horse battery"), FAST_SCRYPT)
    await _journal(catalog, "a")
    await vault.aclose()
    report = await SecretKeeper(catalog, vault).reconcile()
    assert [c.secret_ref for c in report.unchecked] == ["a"]
    assert len(catalog._sync.list_pending()) == 1


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
    tamper(part, None)
    report = await keeper.reconcile()
    assert [c.secret_ref for c in report.reattached] == ["whole"]
    assert [c.secret_ref for c in report.unchecked] == ["torn"]
    assert [c.secret_ref for c in catalog._sync.list_pending()] == ["torn"]
    for ref in ("torn", "whole"):
        await store.delete(ref)
    assert keyring_users(f"{namespace}:") == []
    await store.aclose()


# -- moving to another store: nothing is deleted here until the new store has given it back ----


class KeepsNothing(MemoryStore):
    """Says yes to every write, keeps a different value for one ref (a keyring that drops it)."""

    def __init__(self, wrong: str) -> None:
        super().__init__()
        self.wrong = wrong

    async def set(self, ref: str, secret: Secret, about: SecretAbout | None = None) -> None:
        await super().set(ref, Secret("tdtest-something-else") if ref == self.wrong else secret)


async def test_move_all_stops_and_deletes_nothing_when_the_new_store_does_not_give_a_secret_back(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    memory = MemoryStore()
    keeper = SecretKeeper(catalog, memory)
    creds = [
        await keeper.keep_new_secret(replace(_key(), label=f"key {i}"), secret_factory(30))
        for i in range(3)
    ]
    values = {c.secret_ref: await memory.get(c.secret_ref or "") for c in creds}
    ordered = catalog._sync.list_credentials()
    target = KeepsNothing(wrong=ordered[1].secret_ref or "")
    with pytest.raises(SecretStoreError) as info:
        await keeper.move_all(target)
    assert str(info.value) == "The new store did not keep 'key 1'."
    assert {ref: await memory.get(ref or "") for ref in values} == values
    assert keeper.store is memory
    assert "store.move" not in [e.action for e in catalog._sync.audit_log()]


async def test_move_all_moves_only_held_secrets_and_records_how_many(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    memory = MemoryStore()
    keeper = SecretKeeper(catalog, memory)
    held = await keeper.keep_new_secret(_key(), secret_factory(30))
    gone = await keeper.keep_new_secret(replace(_key(), label="gone"), secret_factory(30))
    await memory.delete(gone.secret_ref or "")
    await catalog.upsert_credential(
        Credential(id="n", kind=CredentialKind.API_KEY, label="no secret"),
    )
    memory_other = MemoryStore()
    await memory_other.set("unrelated", secret_factory(20))
    target = MemoryStore()
    assert await keeper.move_all(target) == 1
    assert target.refs() == [held.secret_ref]
    assert memory.refs() == []
    assert keeper.store is target
    entry = catalog._sync.audit_log()[0]
    assert (entry.action, entry.account_id, entry.credential_id, entry.detail) == (
        "store.move",
        None,
        None,
        "1 secrets",
    )


# -- the journal --------------------------------------------------------------------------------


async def test_keep_new_secret_gives_a_fresh_id_and_ref_and_keeps_given_ones(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = MemoryStore()
    keeper = SecretKeeper(catalog, store)
    first = await keeper.keep_new_secret(_key(), secret_factory(20))
    second = await keeper.keep_new_secret(_key(), secret_factory(20))
    assert first.id and first.secret_ref and first.id != second.id
    assert first.secret_ref != second.secret_ref
    given = Credential(
        id="given-id", kind=CredentialKind.API_KEY, label="given", secret_ref="given-ref"
    )
    value = secret_factory(20)
    stored = await keeper.keep_new_secret(given, value, action="credential.import")
    assert (stored.id, stored.secret_ref) == ("given-id", "given-ref")
    assert await store.get("given-ref") == value
    entry = catalog._sync.audit_log()[0]
    assert (entry.action, entry.credential_id) == ("credential.import", "given-id")
    assert catalog._sync.audit_log()[1].action == "credential.add"


class FailingWrite(MemoryStore):
    async def set(self, ref: str, secret: Secret, about: SecretAbout | None = None) -> None:
        raise SecretStoreError("The system keyring is locked.")


async def test_a_failed_write_leaves_the_intent_and_no_row(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    keeper = SecretKeeper(catalog, FailingWrite())
    with pytest.raises(SecretStoreError):
        await keeper.keep_new_secret(_key(), secret_factory(20))
    assert [c.label for c in catalog._sync.list_pending()] == ["new key"]
    assert catalog._sync.list_credentials() == []


async def test_replace_secret_keeps_the_ref_and_updates_the_row_after_the_secret(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = SpyStore(catalog)
    keeper = SecretKeeper(catalog, store)
    stored = await keeper.keep_new_secret(_key(), secret_factory(20))
    newer = secret_factory(20)
    renamed = replace(stored, label="renamed")
    updated = await keeper.replace_secret(renamed, newer)
    assert updated == renamed
    assert await keeper.read(updated) == newer
    assert store.seen == [(1, 0), (0, 1)]
    assert catalog._sync.get_credential(stored.id) == renamed
    assert catalog._sync.audit_log()[0].action == "credential.update"
    assert catalog._sync.list_pending() == []


async def test_replace_secret_without_a_ref_keeps_it_as_a_new_secret(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = SpyStore(catalog)
    keeper = SecretKeeper(catalog, store)
    value = secret_factory(20)
    stored = await keeper.replace_secret(_key(), value)
    assert stored.secret_ref
    assert store.seen == [(1, 0)]
    assert await keeper.read(stored) == value
    assert catalog._sync.audit_log()[0].action == "credential.add"


async def test_reading_a_credential_without_a_ref_is_none_without_asking_the_store(
    catalog: AsyncCatalog,
) -> None:
    keeper = SecretKeeper(catalog, FailingStore({"": RuntimeError("asked")}))
    assert await keeper.read(_key()) is None


async def test_forget_removes_the_secret_then_the_row(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = MemoryStore()
    keeper = SecretKeeper(catalog, store)
    kept = await keeper.keep_new_secret(_key(), secret_factory(20))
    other = await keeper.keep_new_secret(_key(), secret_factory(20))
    await keeper.forget(kept)
    assert store.refs() == [other.secret_ref]
    assert catalog._sync.get_credential(kept.id) is None
    assert catalog._sync.get_credential(other.id) is not None
    bare = await catalog.upsert_credential(
        Credential(id="bare", kind=CredentialKind.API_KEY, label="bare"),
    )
    await SecretKeeper(catalog, FailingStore({"": RuntimeError("asked")})).forget(bare)
    assert catalog._sync.get_credential("bare") is None


async def test_forget_account_leaves_other_accounts_secrets(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = MemoryStore()
    keeper = SecretKeeper(catalog, store)
    a, b = [
        await catalog.add_account(
            Account(id="", name=name, platform=Platform.HAUT, host="h"),
        )
        for name in ("a", "b")
    ]
    await keeper.keep_new_secret(_key(a.id), secret_factory(20))
    await catalog.upsert_credential(
        Credential(id="bare", kind=CredentialKind.API_KEY, label="bare", account_id=a.id),
    )
    kept = await keeper.keep_new_secret(_key(b.id), secret_factory(20))
    await keeper.forget_account(a.id)
    assert store.refs() == [kept.secret_ref]
    assert [x.id for x in catalog._sync.list_accounts()] == [b.id]


# -- the report ---------------------------------------------------------------------------------


def _cred(label: str) -> Credential:
    return Credential(id=label, kind=CredentialKind.API_KEY, label=label, secret_ref=label)


def test_a_report_is_clean_only_when_every_list_is_empty() -> None:
    assert ReconcileReport().clean
    assert ReconcileReport().summary() == "catalog and secret store agree"
    for name in ("reattached", "lost", "unchecked", "unreadable"):
        report = ReconcileReport(**{name: [_cred("x")]})  # type: ignore[arg-type]
        assert not report.clean, name
    assert not ReconcileReport(missing_secrets=MissingSecrets(frozenset({"x"}), ("x",))).clean
    assert not ReconcileReport(problems=["p"]).clean


def test_the_summary_names_each_kind_of_finding_and_each_problem_once() -> None:
    report = ReconcileReport(
        reattached=[_cred("r1"), _cred("r2")],
        lost=[_cred("l1"), _cred("l2")],
        missing_secrets=MissingSecrets(frozenset({"m1", "m2"}), ("m1", "m2")),
        unchecked=[_cred("u1"), _cred("u2")],
        unreadable=[_cred("d1"), _cred("d2")],
        problems=["p one", "p two", "p one"],
    )
    assert report.summary() == (
        "2 interrupted save(s) recovered; "
        "2 secret(s) never reached the store (l1, l2); "
        "2 secret(s) missing from the store (m1, m2); "
        "2 interrupted save(s) could not be checked and are kept for the next start (u1, u2); "
        "2 secret(s) could not be read (d1, d2); "
        "p one; p two"
    )


class BrokenCatalog:
    """Delegates to the real catalog, except that the listed Catalog methods raise."""

    def __init__(self, inner: AsyncCatalog, failing: dict[Any, Exception]) -> None:
        self.inner = inner
        self._sync = inner._sync
        self.failing = {fn.__name__: error for fn, error in failing.items()}

    def __getattr__(self, name: str) -> Any:
        if name in self.failing:
            error = self.failing[name]

            async def fail(*_args: object, **_kwargs: object) -> None:
                raise error

            return fail
        return getattr(self.inner, name)


async def test_reconcile_reports_a_journal_it_cannot_list_and_still_checks_held_secrets(
    catalog: AsyncCatalog,
) -> None:
    await catalog.upsert_credential(_cred("held"))
    broken = BrokenCatalog(catalog, {Catalog.list_pending: CatalogError("The catalog is damaged.")})
    keeper = SecretKeeper(broken, MemoryStore())  # type: ignore[arg-type]
    report = await keeper.reconcile()
    assert report.problems == [
        "the interrupted saves could not be listed (The catalog is damaged.)"
    ]
    assert (await keeper.check_held()).missing_secrets.ids == {"held"}


async def test_reconcile_reports_held_secrets_it_cannot_list_by_error_type_only(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = MemoryStore()
    await _journal(catalog, "stored")
    await store.set("stored", secret_factory(20))
    broken = BrokenCatalog(catalog, {Catalog.held_refs: RuntimeError("tdtest-must-not-show")})
    keeper = SecretKeeper(broken, store)  # type: ignore[arg-type]
    report = await keeper.reconcile()
    assert [c.secret_ref for c in report.reattached] == ["stored"]
    held = await keeper.check_held()
    assert held.problems == ["the held secrets could not be listed (RuntimeError)"]
    assert held.held_unknown


async def test_reconcile_keeps_an_entry_whose_journal_update_fails(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = MemoryStore()
    await _journal(catalog, "stored", "never")
    await store.set("stored", secret_factory(20))
    broken = BrokenCatalog(
        catalog,
        {
            Catalog.complete_pending: CatalogError("disk full"),
            Catalog.drop_pending: OSError("tdtest-must-not-show"),
        },
    )
    report = await SecretKeeper(broken, store).reconcile()  # type: ignore[arg-type]
    assert sorted(c.secret_ref or "" for c in report.unchecked) == ["never", "stored"]
    assert sorted(report.problems) == ["never: OSError", "stored: disk full"]
    assert report.reattached == report.lost == []
    assert len(catalog._sync.list_pending()) == 2


async def test_reconcile_of_a_recovered_save_records_it_as_recovered(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = MemoryStore()
    await _journal(catalog, "stored", "never")
    await store.set("stored", secret_factory(20))
    report = await SecretKeeper(catalog, store).reconcile()
    actions = {e.credential_id: (e.action, e.detail) for e in catalog._sync.audit_log()}
    assert actions["id-stored"] == ("credential.recover", "stored")
    assert actions["id-never"] == (
        "credential.lost",
        "never: the app stopped before the secret was stored",
    )
    assert not report.missing_secrets
    assert catalog._sync.get_credential("id-stored") is not None


async def test_reconcile_against_no_store_with_an_empty_journal_has_no_problem(
    catalog: AsyncCatalog,
) -> None:
    report = await SecretKeeper(catalog, NoStore()).reconcile()
    assert report.clean


class UnlistableStore(MemoryStore):
    """Memory whose bulk presence check fails (a locked keyring, a dead D-Bus)."""

    async def present(self, refs: Sequence[str]) -> frozenset[str]:
        raise RuntimeError("tdtest-must-not-show")


async def test_check_held_asks_the_store_once_for_every_held_secret_and_skips_bare_ones(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    asked: list[list[str]] = []

    class Counting(MemoryStore):
        async def present(self, refs: Sequence[str]) -> frozenset[str]:
            asked.append(list(refs))
            return await super().present(refs)

    store = Counting()
    await store.set("b-ref", secret_factory(20))
    for label, ref in (("a-bare", None), ("b-held", "b-ref"), ("c-missing", "c-ref")):
        await catalog.upsert_credential(
            Credential(id=label, kind=CredentialKind.API_KEY, label=label, secret_ref=ref),
        )
    report = await SecretKeeper(catalog, store).check_held()
    assert sorted(asked[0]) == ["b-ref", "c-ref"] and len(asked) == 1
    assert report.missing_secrets.ids == {"c-missing"}
    assert report.problems == [] and not report.held_unknown


async def test_check_held_keeps_every_missing_id_and_the_first_labels_in_label_order(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = MemoryStore()
    for i in (6, 2, 0, 7, 4, 1, 5, 3):
        await catalog.upsert_credential(
            Credential(id=f"id-{i}", kind=CredentialKind.API_KEY, label=f"k{i}", secret_ref=f"r{i}")
        )
    await store.set("r2", secret_factory(20))
    report = await SecretKeeper(catalog, store).check_held()
    assert report.missing_secrets.ids == {f"id-{i}" for i in (0, 1, 3, 4, 5, 6, 7)}
    assert report.missing_secrets.first_labels == ("k0", "k1", "k3", "k4", "k5")
    assert report.summary() == "7 secret(s) missing from the store (k0, k1, k3, k4, k5 and 2 more)"


async def test_check_held_says_the_missing_could_not_be_named_when_the_second_read_fails(
    catalog: AsyncCatalog,
) -> None:
    await catalog.upsert_credential(_cred("gone"))
    broken = BrokenCatalog(catalog, {Catalog.holders_of: RuntimeError("tdtest-must-not-show")})
    report = await SecretKeeper(broken, MemoryStore()).check_held()  # type: ignore[arg-type]
    assert report.problems == ["the held secrets could not be listed (RuntimeError)"]
    assert report.held_unknown and not report.missing_secrets


async def test_check_held_against_a_store_that_cannot_tell_says_so_and_claims_nothing(
    catalog: AsyncCatalog,
) -> None:
    await catalog.upsert_credential(
        Credential(id="a", kind=CredentialKind.API_KEY, label="a", secret_ref="a-ref"),
    )
    report = await SecretKeeper(catalog, UnlistableStore()).check_held()
    assert report.held_unknown and not report.missing_secrets
    assert report.problems == ["the held secrets could not be checked (RuntimeError)"]
    closed = await SecretKeeper(catalog, NoStore()).check_held()
    assert closed.held_unknown and not closed.missing_secrets and closed.problems == []


def test_a_summary_names_five_credentials_and_counts_the_rest() -> None:
    many = [Credential(id=f"c{i}", kind=CredentialKind.API_KEY, label=f"k{i}") for i in range(7)]
    report = ReconcileReport(
        missing_secrets=MissingSecrets(
            frozenset(c.id for c in many), ("k0", "k1", "k2", "k3", "k4")
        )
    )
    assert report.summary() == (
        "7 secret(s) missing from the store (k0, k1, k2, k3, k4 and 2 more)"
    )
    assert ReconcileReport(lost=many[:5]).summary() == (
        "5 secret(s) never reached the store (k0, k1, k2, k3, k4)"
    )


# -- secrets that come together (a session and its refresh token) -------------------------------


class FailsOnRef(SpyStore):
    """The spy, except that writing `bad` fails."""

    def __init__(self, catalog: AsyncCatalog, bad: str) -> None:
        super().__init__(catalog)
        self.bad = bad

    async def set(self, ref: str, secret: Secret, about: SecretAbout | None = None) -> None:
        if ref == self.bad:
            raise SecretStoreError("The system keyring is locked.")
        await super().set(ref, secret, about)


def _counting(catalog: AsyncCatalog, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the catalog calls made from now on."""
    calls: list[str] = []
    run = catalog._call

    async def counted(fn: Callable[..., object], *args: object, **kwargs: object) -> object:
        calls.append(getattr(fn, "__name__", "?"))
        return await run(fn, *args, **kwargs)

    monkeypatch.setattr(catalog, "_call", counted)
    return calls


async def _account_named(catalog: AsyncCatalog, name: str) -> Account:
    return await catalog.add_account(
        Account(id="", name=name, platform=Platform.HAUT, host="h"),
    )


async def test_secrets_kept_together_share_one_intent_and_one_row_transaction(
    catalog: AsyncCatalog,
    secret_factory: Callable[[int], Secret],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = await _account_named(catalog, "Acc")
    store = SpyStore(catalog)
    keeper = SecretKeeper(catalog, store)
    values = [secret_factory(20), secret_factory(20)]
    calls = _counting(catalog, monkeypatch)
    kept = await keeper.keep_new_secrets(
        [
            ToKeep(replace(_key(account.id), label="session"), values[0], "session.new"),
            ToKeep(replace(_key(account.id), label="refresh"), values[1], "session.refresh_token"),
        ]
    )
    assert store.seen == [(2, 0), (2, 0)], "every intent first, no row before the last secret"
    assert calls == ["begin_pending_all", "get_account", "complete_pending_all"]
    assert [await keeper.read(c) for c in kept] == values
    assert catalog._sync.list_pending() == []
    assert [(e.action, e.credential_id) for e in catalog._sync.audit_log()[:2]] == [
        ("session.refresh_token", kept[1].id),
        ("session.new", kept[0].id),
    ]
    calls.clear()
    assert await keeper.keep_new_secrets([]) == []
    assert await keeper.replace_secrets([]) == []
    assert calls == [], "nothing to keep: no catalog call"


async def test_secrets_kept_together_are_named_with_their_own_accounts(
    catalog: AsyncCatalog,
    secret_factory: Callable[[int], Secret],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    titles: list[str] = []

    class Titles(MemoryStore):
        async def set(self, ref: str, secret: Secret, about: SecretAbout | None = None) -> None:
            titles.append(about.title if about else "")
            await super().set(ref, secret, about)

    keeper = SecretKeeper(catalog, Titles())
    a, b = await _account_named(catalog, "Alpha"), await _account_named(catalog, "Beta")
    kept = await keeper.keep_new_secrets(
        [
            ToKeep(replace(_key(a.id), label="one"), secret_factory(20)),
            ToKeep(replace(_key(b.id), label="two"), secret_factory(20)),
            ToKeep(replace(_key(), label="three"), secret_factory(20)),
        ]
    )
    assert titles == ["Alpha: one", "Beta: two", "three"]
    await keeper.replace_secrets([(kept[1], secret_factory(20)), (kept[0], secret_factory(20))])
    assert titles[3:] == ["Beta: two", "Alpha: one"]
    calls = _counting(catalog, monkeypatch)
    await keeper.replace_secrets(
        [(kept[0], secret_factory(20)), (kept[1], secret_factory(20))], names={a.id: "Alpha 2"}
    )
    assert titles[5:] == ["Alpha 2: one", "Beta: two"], "a name given is not read again"
    assert calls == ["get_account", "upsert_credentials"]
    await keeper.keep_new_secrets(
        [ToKeep(replace(_key(a.id), label="five"), secret_factory(20))], names={a.id: "A"}
    )
    assert titles[7:] == ["A: five"]
    assert calls[2:] == ["begin_pending_all", "complete_pending_all"]


async def test_a_failed_write_among_secrets_kept_together_keeps_the_written_ones(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = FailsOnRef(catalog, "ref-2")
    keeper = SecretKeeper(catalog, store)
    items = [
        ToKeep(
            replace(_key(), id=f"c-{i}", label=f"k{i}", secret_ref=f"ref-{i}"), secret_factory(20)
        )
        for i in (1, 2, 3)
    ]
    with pytest.raises(SecretStoreError):
        await keeper.keep_new_secrets(items)
    assert [c.id for c in catalog._sync.list_credentials()] == ["c-1"]
    assert sorted(c.id for c in catalog._sync.list_pending()) == ["c-2", "c-3"]
    assert store.refs() == ["ref-1"]


async def test_secrets_renewed_together_are_written_then_saved_in_one_transaction(
    catalog: AsyncCatalog,
    secret_factory: Callable[[int], Secret],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = await _account_named(catalog, "Acc")
    store = SpyStore(catalog)
    keeper = SecretKeeper(catalog, store)
    session = await keeper.keep_new_secret(replace(_key(account.id), label="s"), secret_factory(20))
    refresh = await keeper.keep_new_secret(replace(_key(account.id), label="r"), secret_factory(20))
    catalog._sync.mark_fired_many([(session.id, 60), (refresh.id, 60)])
    store.seen.clear()
    values = [secret_factory(20), secret_factory(20), secret_factory(20)]
    calls = _counting(catalog, monkeypatch)
    renewed = await keeper.replace_secrets(
        [
            (replace(session, label="s2"), values[0]),
            (_key(account.id), values[1]),
            (refresh, values[2]),
        ],
        reset_fired={session.id},
    )
    assert [c.label for c in renewed] == ["s2", "new key", "r"], "in the order given"
    assert (renewed[0].id, renewed[2].id) == (session.id, refresh.id)
    assert renewed[1].secret_ref not in (None, session.secret_ref, refresh.secret_ref)
    assert [await keeper.read(c) for c in renewed] == values
    assert calls == [
        "begin_pending_all",
        "get_account",
        "complete_pending_all",
        "get_account",
        "upsert_credentials",
    ], "the one without a ref is kept as new; the others' rows in one transaction"
    assert store.seen == [(1, 2), (0, 3), (0, 3)]
    assert catalog._sync.get_credential(session.id) == replace(session, label="s2")
    assert catalog._sync.fired_all() == {refresh.id: {60}}, "only the warnings asked are reset"
    assert [e.action for e in catalog._sync.audit_log()[:2]] == ["credential.update"] * 2


async def test_a_failed_write_among_secrets_renewed_together_saves_the_written_ones(
    catalog: AsyncCatalog, secret_factory: Callable[[int], Secret]
) -> None:
    store = FailsOnRef(catalog, "ref-r")
    keeper = SecretKeeper(catalog, store)
    session = catalog._sync.upsert_credential(replace(_key(), label="s", secret_ref="ref-s"))
    refresh = catalog._sync.upsert_credential(replace(_key(), label="r", secret_ref="ref-r"))
    catalog._sync.mark_fired(session.id, 60)
    value = secret_factory(20)
    with pytest.raises(SecretStoreError):
        await keeper.replace_secrets(
            [(replace(session, label="s2"), value), (replace(refresh, label="r2"), value)],
            reset_fired={session.id},
        )
    assert catalog._sync.get_credential(session.id) == replace(session, label="s2")
    assert catalog._sync.get_credential(refresh.id) == refresh
    assert catalog._sync.fired_all() == {}
    assert store.refs() == ["ref-s"]
