"""The catalog keeps every field it is given, finds and orders what it holds, audits each change,
journals pending secrets, remembers which notifications fired, and opens its file privately with
the settings that keep two processes and a crash safe."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tokendeck.core.models import (
    Account,
    AccountSettings,
    AccountStatus,
    Credential,
    CredentialKind,
    CredentialState,
    Platform,
)
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.catalog import SCHEMA_VERSION, Catalog, CatalogError
from tokendeck.storage.profile import Profile

PLUS_TWO = timezone(timedelta(hours=2))


@pytest.fixture
def catalog(profile: Profile) -> Iterator[Catalog]:
    opened = Catalog(profile.catalog_path)
    yield opened
    opened.close()


def _account(name: str = "Prod", **fields: Any) -> Account:
    if isinstance(fields.get("settings"), dict):
        fields["settings"] = AccountSettings.from_json(fields["settings"])
    return Account(id="", name=name, platform=Platform.ENCORD, host="https://h.example", **fields)


def _raw_settings(catalog: Catalog, account_id: str, data: object) -> None:
    """Settings JSON as an earlier release or a hand edit may have left it."""
    catalog._db.execute("UPDATE accounts SET settings=? WHERE id=?", (json.dumps(data), account_id))


def _credential(label: str = "key", **fields: Any) -> Credential:
    return Credential(id="", kind=CredentialKind.API_KEY, label=label, **fields)


def _full_credential(account_id: str | None, ref: str = "ref-full") -> Credential:
    return Credential(
        id="cred-full",
        kind=CredentialKind.REFRESH_TOKEN,
        label="full",
        account_id=account_id,
        remote_id="remote-7",
        scopes=("read", "write"),
        created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=PLUS_TWO),
        expires_at=datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
        last_used_at=datetime(2026, 1, 5, 0, 0, tzinfo=PLUS_TWO),
        state=CredentialState.EXPIRING,
        secret_ref=ref,
        meta={"k": [1, "v"]},
    )


def _audit(catalog: Catalog) -> list[tuple[str, str | None, str | None, str]]:
    return [(e.action, e.account_id, e.credential_id, e.detail) for e in catalog.audit_log()]


# -- opening -----------------------------------------------------------------------------------


def test_a_new_catalog_is_private_in_a_private_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "catalog.sqlite3"
    catalog = Catalog(path)
    assert catalog.path == path
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    catalog.close()


def test_the_connection_waits_for_locks_syncs_fully_and_checks_references(
    catalog: Catalog,
) -> None:
    db = catalog._db
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_fresh_file_is_migrated_to_the_current_schema_once(profile: Profile) -> None:
    Catalog(profile.catalog_path).close()
    raw = sqlite3.connect(profile.catalog_path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"meta", "accounts", "credentials", "pending_secrets", "notifications", "audit_log"} <= (
        tables
    )
    raw.close()
    again = Catalog(profile.catalog_path)  # a second migration would fail: tables exist
    assert again.schema_version == SCHEMA_VERSION
    assert again.integrity_check() == "ok"
    again.close()


def test_each_profile_gets_its_own_random_namespace(tmp_path: Path) -> None:
    first, second = Catalog(tmp_path / "a" / "c.sqlite3"), Catalog(tmp_path / "b" / "c.sqlite3")
    assert re.fullmatch(r"[0-9a-f]{16}", first.namespace())
    assert first.namespace() != second.namespace()
    first.close()
    second.close()


def test_the_catalog_made_on_one_thread_is_used_on_the_async_worker(profile: Profile) -> None:
    sync = Catalog(profile.catalog_path)

    async def use() -> list[str]:
        catalog = AsyncCatalog(sync)
        names: list[str] = []
        await catalog._call(lambda _sync: names.append(threading.current_thread().name))
        await catalog.add_account(_account("on the worker"))
        accounts = await catalog.list_accounts()
        await catalog.aclose()
        return [a.name for a in accounts] + names

    result = asyncio.run(use())
    assert result[0] == "on the worker"
    assert result[1].startswith("catalog")
    with pytest.raises(sqlite3.ProgrammingError):
        sync.list_accounts()  # closed by aclose


async def test_the_async_catalog_opens_closes_and_passes_keywords(profile: Profile) -> None:
    catalog = await AsyncCatalog.open(profile.catalog_path)
    assert catalog._sync.path == profile.catalog_path
    await catalog.audit("test.action", detail="by keyword")
    assert _audit(catalog._sync)[0] == ("test.action", None, None, "by keyword")
    await catalog.aclose()
    with pytest.raises(RuntimeError):
        await catalog.list_accounts()


def test_a_commit_that_fails_is_rolled_back_and_explained(catalog: Catalog) -> None:
    real = catalog._db

    class FailingCommit:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def execute(self, sql: str, *args: Any) -> Any:
            if sql == "COMMIT":
                raise sqlite3.OperationalError("disk I/O error")
            return real.execute(sql, *args)

    catalog._db = FailingCommit()  # type: ignore[assignment]
    with pytest.raises(CatalogError) as failed:
        catalog.add_account(_account())
    catalog._db = real
    assert str(failed.value) == "Could not save to the catalog: disk I/O error"
    assert not real.in_transaction
    assert catalog.list_accounts() == []
    assert catalog.audit_log() == []


# -- accounts ----------------------------------------------------------------------------------


def test_an_account_keeps_every_field(catalog: Catalog) -> None:
    before = datetime.now(UTC)
    stored = catalog.add_account(
        Account(
            id="",
            name="Full",
            platform=Platform.OAUTH2,
            host="https://auth.example",
            username="ada",
            auth_method="pkce",
            settings=AccountSettings.from_json({"thresholds": [3600, 60]}),
            status=AccountStatus.ERROR,
            status_detail="boom",
        )
    )
    assert stored.id and stored.created_at and stored.updated_at
    assert before <= stored.created_at == stored.updated_at <= datetime.now(UTC)
    assert catalog.get_account(stored.id) == stored
    assert catalog.get_account("no-such-id") is None
    assert _audit(catalog) == [("account.add", stored.id, None, "Full")]


def test_an_account_with_an_id_keeps_it(catalog: Catalog) -> None:
    stored = catalog.add_account(Account(id="given-id", name="A", platform=Platform.HAUT, host="h"))
    assert stored.id == "given-id"
    assert catalog.get_account("given-id") == stored


def test_accounts_get_distinct_ids(catalog: Catalog) -> None:
    first, second = catalog.add_account(_account("a")), catalog.add_account(_account("b"))
    assert first.id != second.id


def test_accounts_are_found_by_id_or_by_name_in_any_case(catalog: Catalog) -> None:
    stored = catalog.add_account(_account("Dataloop Prod"))
    assert catalog.find_account(stored.id) == stored
    assert catalog.find_account("dataloop PROD") == stored
    assert catalog.find_account("nobody") is None


def test_accounts_are_listed_by_name_ignoring_case(catalog: Catalog) -> None:
    for name in ("beta", "Alpha", "Gamma"):
        catalog.add_account(_account(name))
    assert [a.name for a in catalog.list_accounts()] == ["Alpha", "beta", "Gamma"]


def test_an_edited_account_keeps_its_creation_and_status(catalog: Catalog) -> None:
    stored = catalog.add_account(_account("Old", status=AccountStatus.SIGNED_IN))
    catalog.set_account_status(stored.id, AccountStatus.SIGNED_IN)
    edited = catalog.update_account(
        Account(
            id=stored.id,
            name="New",
            platform=Platform.TRIFACTA,
            host="https://new.example",
            username="bob",
            auth_method="basic",
            settings=AccountSettings.from_json({"x": 1}),
            status=AccountStatus.OFFLINE,
            created_at=stored.created_at,
        )
    )
    got = catalog.get_account(stored.id)
    assert got is not None
    assert (
        got.name,
        got.platform,
        got.host,
        got.username,
        got.auth_method,
        got.settings.to_json(),
    ) == (
        "New",
        Platform.TRIFACTA,
        "https://new.example",
        "bob",
        "basic",
        {"x": 1},
    )
    assert got.status is AccountStatus.SIGNED_IN, "status is changed only by set_account_status"
    assert got.created_at == stored.created_at
    assert edited.updated_at is not None and got.updated_at == edited.updated_at
    assert stored.updated_at is not None and edited.updated_at >= stored.updated_at
    assert _audit(catalog)[0] == ("account.edit", stored.id, None, "New")


def test_an_account_can_be_saved_with_its_status_in_one_write(catalog: Catalog) -> None:
    stored = catalog.add_account(_account("Prod"))
    catalog.set_account_status(stored.id, AccountStatus.NEEDS_LOGIN, "Signed out.")
    saved = catalog.update_account(
        replace(stored, username="ann@example.test"), status=AccountStatus.SIGNED_IN
    )
    got = catalog.get_account(stored.id)
    assert got is not None
    assert (got.username, got.status, got.status_detail) == (
        "ann@example.test",
        AccountStatus.SIGNED_IN,
        "",
    )
    assert (saved.status, saved.status_detail, saved.updated_at) == (
        AccountStatus.SIGNED_IN,
        "",
        got.updated_at,
    )
    assert _audit(catalog)[0] == ("account.edit", stored.id, None, "Prod")
    with pytest.raises(CatalogError):
        catalog.update_account(
            replace(stored, id="gone", name="Gone"), status=AccountStatus.SIGNED_IN
        )


def test_editing_an_account_that_is_gone_or_a_taken_name_is_refused(catalog: Catalog) -> None:
    catalog.add_account(_account("Taken"))
    mine = catalog.add_account(_account("Mine"))
    with pytest.raises(CatalogError) as gone:
        catalog.update_account(Account(id="gone", name="X", platform=Platform.HAUT, host="h"))
    assert str(gone.value) == "That account no longer exists."
    with pytest.raises(CatalogError) as taken:
        catalog.update_account(Account(id=mine.id, name="Taken", platform=Platform.HAUT, host="h"))
    assert str(taken.value) == "An account named 'Taken' already exists."
    assert [a.name for a in catalog.list_accounts()] == ["Mine", "Taken"]
    assert [e.action for e in catalog.audit_log()] == ["account.add", "account.add"]


def test_a_taken_name_is_refused_when_adding(catalog: Catalog) -> None:
    catalog.add_account(_account("Taken"))
    with pytest.raises(CatalogError) as taken:
        catalog.add_account(_account("Taken"))
    assert str(taken.value) == "An account named 'Taken' already exists."


def test_an_account_status_is_set_with_its_detail(catalog: Catalog) -> None:
    stored = catalog.add_account(_account())
    other = catalog.add_account(_account("Other"))
    catalog.set_account_status(stored.id, AccountStatus.ERROR, "HTTP 500")
    got = catalog.get_account(stored.id)
    assert got is not None and stored.updated_at is not None and got.updated_at is not None
    assert (got.status, got.status_detail) == (AccountStatus.ERROR, "HTTP 500")
    assert got.updated_at >= stored.updated_at
    catalog.set_account_status(stored.id, AccountStatus.SIGNED_IN)
    got = catalog.get_account(stored.id)
    assert got is not None and (got.status, got.status_detail) == (AccountStatus.SIGNED_IN, "")
    assert catalog.get_account(other.id) == other


def test_removing_an_account_returns_the_refs_its_credentials_held(catalog: Catalog) -> None:
    stored = catalog.add_account(_account("Gone"))
    other = catalog.add_account(_account("Stays"))
    catalog.upsert_credential(_credential("a", account_id=stored.id, secret_ref="ref-a"))
    catalog.upsert_credential(_credential("b", account_id=stored.id))
    kept = catalog.upsert_credential(_credential("c", account_id=other.id, secret_ref="ref-c"))
    assert catalog.delete_account(stored.id) == ["ref-a"]
    assert catalog.get_account(stored.id) is None
    assert catalog.list_credentials() == [kept]
    assert _audit(catalog)[0] == ("account.remove", stored.id, None, "Gone")
    assert catalog.delete_account("no-such-id") == []
    assert _audit(catalog)[0] == ("account.remove", "no-such-id", None, "")


async def test_the_async_catalog_never_runs_two_calls_at_once(profile: Profile) -> None:
    catalog = await AsyncCatalog.open(profile.catalog_path)
    leave = threading.Event()

    def hold(_sync: Catalog) -> None:
        leave.wait()  # no timeout (thread timeouts stall under the shifted-clock test pass)

    def overlapped(_sync: Catalog) -> bool:
        """True if it runs while hold() is still inside."""
        return not leave.is_set()

    first = asyncio.ensure_future(catalog._call(hold))
    second = asyncio.ensure_future(catalog._call(overlapped))
    try:
        # With one worker the second call cannot start, let alone finish, while hold() runs.
        await asyncio.wait({second}, timeout=0.5)
    finally:
        leave.set()
    await first
    assert await second is False
    await catalog.aclose()


# -- credentials -------------------------------------------------------------------------------


def test_a_credential_keeps_every_field_times_in_utc(catalog: Catalog) -> None:
    account = catalog.add_account(_account())
    stored = catalog.upsert_credential(_full_credential(account.id))
    got = catalog.get_credential("cred-full")
    assert got == stored
    assert got is not None and got.created_at is not None and got.expires_at is not None
    assert got.created_at.utcoffset() == timedelta(0)
    assert got.created_at == datetime(2026, 1, 2, 1, 4, 5, tzinfo=UTC)
    assert (got.remote_id, got.scopes, dict(got.meta)) == (
        "remote-7",
        ("read", "write"),
        {"k": [1, "v"]},
    )
    assert catalog.get_credential("no-such-id") is None
    assert _audit(catalog)[0] == ("credential.save", account.id, "cred-full", "full")


@pytest.fixture
def east_of_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("east_of_utc")
def test_times_are_stored_in_utc_whatever_the_local_zone(catalog: Catalog) -> None:
    # Stored as ISO text that SQL compares and sorts: one offset for all, or the order breaks.
    catalog.upsert_credential(_full_credential(None))
    got = catalog.get_credential("cred-full")
    assert got is not None and got.created_at is not None and got.expires_at is not None
    assert got.created_at.utcoffset() == got.expires_at.utcoffset() == timedelta(0)


def test_a_credential_without_times_or_account_is_kept_as_such(catalog: Catalog) -> None:
    stored = catalog.upsert_credential(_credential("bare"), action="credential.import")
    got = catalog.get_credential(stored.id)
    assert got == stored
    assert got is not None and (got.created_at, got.expires_at, got.account_id) == (
        None,
        None,
        None,
    )
    assert _audit(catalog)[0] == ("credential.import", None, stored.id, "bare")


def test_saving_a_credential_again_replaces_every_field(catalog: Catalog) -> None:
    account = catalog.add_account(_account())
    first = catalog.upsert_credential(_credential("first", account_id=account.id, secret_ref="r1"))
    second = _full_credential(None, ref="r2")
    second = Credential(**{**{f: getattr(second, f) for f in second.__slots__}, "id": first.id})
    catalog.upsert_credential(second)
    assert catalog.get_credential(first.id) == second
    assert len(catalog.list_credentials()) == 1


def test_credentials_are_listed_by_label_for_all_or_one_account(catalog: Catalog) -> None:
    a, b = catalog.add_account(_account("A")), catalog.add_account(_account("B"))
    for label, account in (("zeta", a), ("alpha", b), ("mid", a)):
        catalog.upsert_credential(_credential(label, account_id=account.id))
    assert [c.label for c in catalog.list_credentials()] == ["alpha", "mid", "zeta"]
    assert [c.label for c in catalog.list_credentials(a.id)] == ["mid", "zeta"]
    assert [c.label for c in catalog.list_credentials(b.id)] == ["alpha"]


def test_removing_a_credential_forgets_its_notifications_and_audits_it(catalog: Catalog) -> None:
    account = catalog.add_account(_account())
    gone = catalog.upsert_credential(_credential("gone", account_id=account.id))
    kept = catalog.upsert_credential(_credential("kept", account_id=account.id))
    catalog.mark_fired(gone.id, 60)
    catalog.mark_fired(kept.id, 60)
    catalog.delete_credential(gone.id)
    assert catalog.list_credentials() == [kept]
    assert catalog.fired_all() == {kept.id: {60}}
    assert _audit(catalog)[0] == ("credential.remove", account.id, gone.id, "gone")
    catalog.delete_credential("no-such-id")
    assert _audit(catalog)[0] == ("credential.remove", account.id, gone.id, "gone")


def test_an_account_and_its_credentials_are_read_together(catalog: Catalog) -> None:
    account = catalog.add_account(_account("Mine"))
    other = catalog.add_account(_account("Other"))
    b = catalog.upsert_credential(_credential("b", account_id=account.id))
    a = catalog.upsert_credential(_credential("a", account_id=account.id))
    catalog.upsert_credential(_credential("c", account_id=other.id))
    assert catalog.accounts_and_credentials([account.id, "gone"]) == {
        account.id: (account, [a, b]),
        "gone": (None, []),
    }


def test_credentials_saved_together_are_one_transaction_that_can_reset_their_warnings(
    catalog: Catalog,
) -> None:
    account = catalog.add_account(_account())
    session = catalog.upsert_credential(_credential("session", account_id=account.id))
    refresh = catalog.upsert_credential(_credential("refresh", account_id=account.id))
    catalog.mark_fired_many([(session.id, 60), (refresh.id, 60)])
    renewed = replace(session, expires_at=datetime(2026, 5, 1, tzinfo=UTC))
    saved = catalog.upsert_credentials(
        [renewed, refresh, _credential("new one")],
        action="credential.update",
        reset_fired={session.id},
    )
    assert saved[:2] == [renewed, refresh] and saved[2].id and saved[2].label == "new one"
    assert catalog.get_credential(session.id) == renewed
    assert catalog.fired_all() == {refresh.id: {60}}, "only the warnings asked are reset"
    assert [a for a, *_ in _audit(catalog)[:3]] == ["credential.update"] * 3
    orphan = _credential("orphan", account_id="no-such-account")
    with pytest.raises(sqlite3.IntegrityError):
        catalog.upsert_credentials([replace(refresh, label="changed"), orphan])
    assert catalog.get_credential(refresh.id) == refresh, "nothing of a failed batch is kept"
    assert catalog.upsert_credentials([]) == []


# -- the write-before-show journal -------------------------------------------------------------


def test_a_pending_secret_is_journaled_then_completed(catalog: Catalog) -> None:
    account = catalog.add_account(_account())
    credential = _full_credential(account.id)
    catalog.begin_pending(credential)
    assert catalog.list_pending() == [credential]
    assert catalog.list_credentials() == []
    catalog.complete_pending(credential)
    assert catalog.list_pending() == []
    assert catalog.get_credential(credential.id) == credential
    assert _audit(catalog)[0] == ("credential.add", account.id, credential.id, "full")


def test_a_completed_pending_secret_can_name_its_own_action(catalog: Catalog) -> None:
    credential = _full_credential(None)
    catalog.begin_pending(credential)
    catalog.complete_pending(credential, action="credential.rotate")
    assert _audit(catalog)[0] == ("credential.rotate", None, credential.id, "full")


def test_completing_one_pending_secret_leaves_the_others(catalog: Catalog) -> None:
    first, second = _full_credential(None, "ref-1"), _full_credential(None, "ref-2")
    second = Credential(**{**{f: getattr(second, f) for f in second.__slots__}, "id": "cred-2"})
    catalog.begin_pending(first)
    catalog.begin_pending(second)
    assert catalog.list_pending() == [first, second]
    catalog.complete_pending(first)
    assert catalog.list_pending() == [second]


def test_a_pending_secret_needs_a_ref(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match=r"^a pending secret needs a secret_ref$"):
        catalog.begin_pending(_credential("no ref"))
    assert catalog.list_pending() == []


def test_a_dropped_pending_secret_is_audited_as_lost(catalog: Catalog) -> None:
    account = catalog.add_account(_account())
    credential = _full_credential(account.id)
    other = _full_credential(account.id, "ref-other")
    catalog.begin_pending(credential)
    catalog.begin_pending(other)
    catalog.drop_pending("ref-full", "the store refused it")
    assert catalog.list_pending() == [other]
    assert _audit(catalog)[0] == (
        "credential.lost",
        account.id,
        "cred-full",
        "full: the store refused it",
    )
    catalog.drop_pending("ref-unknown", "whatever")
    assert catalog.list_pending() == [other]
    assert len(catalog.audit_log()) == 2


def test_secrets_kept_together_are_journaled_and_completed_in_one_transaction_each(
    catalog: Catalog,
) -> None:
    account = catalog.add_account(_account())
    session = replace(
        _credential("session", account_id=account.id, secret_ref="ref-s"), id="c-session"
    )
    refresh = replace(
        _credential("refresh", account_id=account.id, secret_ref="ref-r"), id="c-refresh"
    )
    catalog.begin_pending_all([session, refresh])
    assert sorted(c.id for c in catalog.list_pending()) == ["c-refresh", "c-session"]
    assert catalog.list_credentials() == []
    catalog.complete_pending_all([(session, "session.new"), (refresh, "session.refresh_token")])
    assert catalog.list_pending() == []
    assert catalog.list_credentials(account.id) == [refresh, session]
    assert _audit(catalog)[:2] == [
        ("session.refresh_token", account.id, "c-refresh", "refresh"),
        ("session.new", account.id, "c-session", "session"),
    ]


def test_a_failure_in_a_batch_of_the_journal_leaves_none_of_it(catalog: Catalog) -> None:
    account = catalog.add_account(_account())
    good = replace(_credential("good", account_id=account.id, secret_ref="ref-good"), id="c-good")
    orphan = replace(
        _credential("orphan", account_id="no-such-account", secret_ref="ref-o"), id="c-orphan"
    )
    with pytest.raises(ValueError, match=r"^a pending secret needs a secret_ref$"):
        catalog.begin_pending_all([good, _credential("no ref")])
    assert catalog.list_pending() == []
    catalog.begin_pending_all([good, orphan])
    with pytest.raises(sqlite3.IntegrityError):
        catalog.complete_pending_all([(good, "credential.add"), (orphan, "credential.add")])
    assert catalog.list_credentials() == []
    assert sorted(c.id for c in catalog.list_pending()) == ["c-good", "c-orphan"]
    with pytest.raises(sqlite3.IntegrityError):
        catalog.begin_pending_all([_credential("again", secret_ref="ref-new"), good])
    assert len(catalog.list_pending()) == 2, "the first intent of a failed batch is not kept"


# -- notification state ------------------------------------------------------------------------


def test_a_notification_fires_once_per_threshold(catalog: Catalog) -> None:
    cred = catalog.upsert_credential(_credential())
    assert catalog.mark_fired(cred.id, 3600) is True
    assert catalog.mark_fired(cred.id, 3600) is False
    assert catalog.mark_fired(cred.id, 60) is True
    assert catalog.fired_thresholds(cred.id) == {3600, 60}
    assert catalog.fired_thresholds("other") == set()


def test_many_notifications_are_marked_at_once(catalog: Catalog) -> None:
    a, b = catalog.upsert_credential(_credential("a")), catalog.upsert_credential(_credential("b"))
    catalog.mark_fired(a.id, 60)
    catalog.mark_fired_many([(a.id, 60), (a.id, 3600), (b.id, 60)])
    catalog.mark_fired_many([])
    assert catalog.fired_all() == {a.id: {60, 3600}, b.id: {60}}
    assert catalog.fired_thresholds(a.id) == {60, 3600}


def test_resetting_lets_a_credentials_notifications_fire_again(catalog: Catalog) -> None:
    a, b = catalog.upsert_credential(_credential("a")), catalog.upsert_credential(_credential("b"))
    catalog.mark_fired_many([(a.id, 60), (b.id, 60)])
    catalog.reset_fired(a.id)
    assert catalog.fired_all() == {b.id: {60}}
    assert catalog.mark_fired(a.id, 60) is True


def test_resetting_an_account_resets_only_its_credentials(catalog: Catalog) -> None:
    mine, other = catalog.add_account(_account("mine")), catalog.add_account(_account("other"))
    a = catalog.upsert_credential(_credential("a", account_id=mine.id))
    b = catalog.upsert_credential(_credential("b", account_id=other.id))
    catalog.mark_fired_many([(a.id, 60), (b.id, 60)])
    catalog.reset_fired_for_account(mine.id)
    assert catalog.fired_all() == {b.id: {60}}


# -- what the expiry watcher reads -------------------------------------------------------------

HORIZON = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)


def _plans(catalog: Catalog, call: Any) -> tuple[Any, list[str]]:
    """What `call()` returns, and the query plan of each SELECT it ran (as SQLite ran it, with
    its parameters bound)."""
    statements: list[str] = []
    catalog._db.set_trace_callback(statements.append)
    try:
        result = call()
    finally:
        catalog._db.set_trace_callback(None)
    plans = [
        " / ".join(str(row[3]) for row in catalog._db.execute(f"EXPLAIN QUERY PLAN {sql}"))
        for sql in statements
        if sql.lstrip().upper().startswith("SELECT")
    ]
    return result, plans


def test_the_due_credentials_are_those_expiring_by_the_horizon_and_not_revoked(
    catalog: Catalog,
) -> None:
    def key(label: str, expires_at: datetime | None, **fields: Any) -> Credential:
        return catalog.upsert_credential(_credential(label, expires_at=expires_at, **fields))

    at_horizon = key("at horizon", HORIZON)
    long_gone = key("long gone", HORIZON - timedelta(days=400), state=CredentialState.EXPIRED)
    expiring = key("expiring", HORIZON - timedelta(days=1), state=CredentialState.EXPIRING)
    key("a microsecond late", HORIZON + timedelta(microseconds=1))
    key("a day late", HORIZON + timedelta(days=1))
    key("revoked", HORIZON - timedelta(days=1), state=CredentialState.REVOKED)
    key("no expiry", None)
    credentials, accounts = catalog.due_credentials(HORIZON)
    assert credentials == [at_horizon, expiring, long_gone], "in label order"
    assert accounts == {}


@pytest.mark.usefixtures("east_of_utc")
def test_the_horizon_compares_instants_whatever_the_zone_and_the_fraction(
    catalog: Catalog,
) -> None:
    # Stored "...T12:00:00+00:00" vs "...T12:00:00.500000+00:00": text order must be time order.
    catalog.upsert_credential(_credential("whole", expires_at=HORIZON))
    catalog.upsert_credential(_credential("half", expires_at=HORIZON + timedelta(milliseconds=500)))
    catalog.upsert_credential(_credential("later", expires_at=HORIZON + timedelta(hours=1)))

    def due(horizon: datetime) -> list[str]:
        return [c.label for c in catalog.due_credentials(horizon)[0]]

    assert due(HORIZON) == ["whole"]
    assert due(HORIZON - timedelta(microseconds=1)) == []
    assert due(HORIZON + timedelta(microseconds=1)) == ["whole"]
    assert due(HORIZON + timedelta(milliseconds=500)) == ["half", "whole"]
    assert due(HORIZON.astimezone(PLUS_TWO)) == ["whole"], "the same instant, another offset"
    naive_local = (HORIZON + timedelta(hours=1)).astimezone().replace(tzinfo=None)
    assert due(naive_local) == ["half", "later", "whole"], "a naive time is local, as in _iso"


def test_the_due_credentials_come_with_their_accounts_only(catalog: Catalog) -> None:
    mine = catalog.add_account(_account("mine", settings={"warn_thresholds": [60]}))
    other = catalog.add_account(_account("other"))
    catalog.add_account(_account("empty"))
    due = catalog.upsert_credential(_credential("due", account_id=mine.id, expires_at=HORIZON))
    also = catalog.upsert_credential(_credential("also", account_id=mine.id, expires_at=HORIZON))
    bare = catalog.upsert_credential(_credential("bare", expires_at=HORIZON))
    catalog.upsert_credential(
        _credential("far", account_id=other.id, expires_at=HORIZON + timedelta(days=90))
    )
    credentials, accounts = catalog.due_credentials(HORIZON)
    assert credentials == [also, bare, due]
    assert accounts == {mine.id: catalog.get_account(mine.id)}


def test_the_due_query_reads_through_the_expiry_index(catalog: Catalog) -> None:
    account = catalog.add_account(_account())
    for i in range(50):
        catalog.upsert_credential(
            _credential(f"k{i}", account_id=account.id, expires_at=HORIZON + timedelta(days=i))
        )
    (credentials, _), plans = _plans(catalog, lambda: catalog.due_credentials(HORIZON))
    assert [c.label for c in credentials] == ["k0"]
    assert len(plans) == 2, plans
    assert "SEARCH credentials USING INDEX credentials_expiry (expires_at<?)" in plans[0]
    assert "SEARCH accounts USING INDEX" in plans[1]
    assert "SCAN credentials" not in plans[0] and "SCAN accounts" not in plans[1]


def test_the_widest_own_threshold_of_any_account_is_computed_in_sql(catalog: Catalog) -> None:
    assert catalog.widest_warn_threshold() is None
    catalog.add_account(_account("none"))
    catalog.add_account(_account("empty", settings={"warn_thresholds": []}))
    catalog.add_account(_account("other setting", settings={"theme": 99999999}))
    assert catalog.widest_warn_threshold() is None
    catalog.add_account(_account("narrow", settings={"warn_thresholds": [60, 3600]}))
    assert catalog.widest_warn_threshold() == 3600
    catalog.add_account(_account("wide", settings={"warn_thresholds": [30 * 86400, 60]}))
    as_text = catalog.add_account(_account("as text"))
    _raw_settings(catalog, as_text.id, {"warn_thresholds": ["7200"]})
    assert catalog.widest_warn_threshold() == 30 * 86400
    fraction = catalog.add_account(_account("fraction"))
    _raw_settings(catalog, fraction.id, {"warn_thresholds": [2592000.5]})
    assert catalog.widest_warn_threshold() == 2592000.5


def test_fired_thresholds_are_read_for_the_ids_asked_only(catalog: Catalog) -> None:
    a, b, c = (catalog.upsert_credential(_credential(n)) for n in "abc")
    catalog.mark_fired_many([(a.id, 60), (a.id, 3600), (b.id, 60), (c.id, 86400)])
    assert catalog.fired_for([a.id, c.id, "no-such-id"]) == {a.id: {60, 3600}, c.id: {86400}}
    assert catalog.fired_for({b.id}) == {b.id: {60}}
    assert catalog.fired_for([]) == {}
    fired, plans = _plans(catalog, lambda: catalog.fired_for([b.id]))
    assert fired == {b.id: {60}}
    assert len(plans) == 1
    assert "SEARCH notifications USING COVERING INDEX sqlite_autoindex_notifications_1" in plans[0]
    assert "SCAN notifications" not in plans[0]


# -- the audit log -----------------------------------------------------------------------------


def test_the_audit_log_lists_the_newest_first_up_to_a_limit(catalog: Catalog) -> None:
    before = datetime.now(UTC)
    for i in range(5):
        catalog.audit(f"test.{i}", account_id=f"acc-{i}", credential_id=f"cred-{i}", detail=f"d{i}")
    entries = catalog.audit_log(limit=3)
    assert [(e.action, e.account_id, e.credential_id, e.detail) for e in entries] == [
        ("test.4", "acc-4", "cred-4", "d4"),
        ("test.3", "acc-3", "cred-3", "d3"),
        ("test.2", "acc-2", "cred-2", "d2"),
    ]
    assert entries[0].id > entries[1].id > entries[2].id
    assert all(before <= e.at <= datetime.now(UTC) for e in entries)
    assert entries[0].at.utcoffset() == timedelta(0)
    assert len(catalog.audit_log()) == 5


def test_the_audit_log_shows_two_hundred_entries_by_default(catalog: Catalog) -> None:
    for i in range(201):
        catalog.audit("test.many", detail=str(i))
    entries = catalog.audit_log()
    assert len(entries) == 200
    assert entries[-1].detail == "1"


def test_an_audit_detail_is_cut_at_500_characters(catalog: Catalog) -> None:
    catalog.audit("test.long", detail="x" * 499 + "yz")
    assert catalog.audit_log()[0].detail == "x" * 499 + "y"
    catalog.audit("test.short")
    assert catalog.audit_log()[0].detail == ""


def _one_worker(catalog: AsyncCatalog) -> set[str]:
    """The names of the threads that ran two calls, the first still busy when the second came."""

    async def calls() -> set[str]:
        busy = threading.Event()

        def first(_sync: Catalog) -> str:
            busy.wait(10)
            return threading.current_thread().name

        running = asyncio.ensure_future(catalog._call(first))
        queued = asyncio.ensure_future(catalog._call(lambda _sync: threading.current_thread().name))
        await asyncio.sleep(0)  # both are submitted to the executor now
        busy.set()
        names = await asyncio.gather(running, queued)
        await catalog.aclose()
        alive = {t.name for t in threading.enumerate()}
        assert not set(names) & alive, "aclose waits for its worker to end"
        return set(names)

    return asyncio.run(calls())


def test_the_async_catalog_runs_every_call_on_one_named_worker(profile: Profile) -> None:
    made_here = _one_worker(AsyncCatalog(Catalog(profile.catalog_path)))
    opened = _one_worker(asyncio.run(AsyncCatalog.open(profile.catalog_path)))
    for names in (made_here, opened):
        assert len(names) == 1
        assert re.fullmatch(r"catalog_\d+", names.pop())


def test_the_pinned_accounts_are_read_by_sqlite_as_account_settings_reads_them(
    catalog: Catalog,
) -> None:
    """The tray's list comes from one query on the settings JSON; it names exactly the accounts
    whose loaded settings say pinned, whatever odd value another release or a hand edit left."""
    odd: list[object] = [
        {"pinned": True},
        {"pinned": False},
        {"pinned": 1},
        {"pinned": "true"},
        {"pinned": None},
        {"pinned": [True]},
        {"other": {"pinned": True}},
        {},
        [],
        "pinned",
        None,
    ]
    for n, data in enumerate(odd):
        account = catalog.add_account(_account(f"Account {n:02d}"))
        _raw_settings(catalog, account.id, data)
    pinned_by_load = [(a.name, a.id) for a in catalog.list_accounts() if a.settings.pinned]
    assert catalog.pinned_accounts() == pinned_by_load
    assert [name for name, _ in pinned_by_load] == ["Account 00"]
