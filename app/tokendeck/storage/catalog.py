"""The catalog: accounts, credential metadata, notification state and the audit log, in SQLite.

Never a secret: a credential row names the secret-store entry (`secret_ref`) that holds its value.
WAL journal, foreign keys on, `synchronous=FULL`; every multi-step change is one transaction
(`BEGIN IMMEDIATE`), so two TokenDeck processes and a crash at any point leave it consistent.

Longer than most modules (~550 lines): one class, because every query shares one connection, its
transaction rules and the audit log written in the same transactions.

`pending_secrets` is the write-ahead journal of rule 3 (write-before-show): the intent to keep a
secret is committed first, then the secret is written to the store, then the credential row is
inserted and the intent removed in one transaction. See `secret_keeper.SecretKeeper`.

`Catalog` is synchronous and confined to one thread; `AsyncCatalog` (async_catalog.py) runs it
on its own worker. The schema is in catalog_schema.py, the row mapping in catalog_rows.py.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from tokendeck.core.errors import LocalStorageError
from tokendeck.core.models import (
    Account,
    AccountStatus,
    AuditEntry,
    Credential,
    CredentialState,
)
from tokendeck.storage.catalog_rows import (
    account_of,
    credential_dict,
    credential_from_dict,
    credential_of,
    iso,
    new_id,
    now_text,
)
from tokendeck.storage.catalog_schema import MIGRATIONS

__all__ = ["ACCOUNTS_IN_ORDER", "SCHEMA_VERSION", "Catalog", "CatalogError", "new_id"]


class CatalogError(LocalStorageError):
    """The catalog could not be read or written; the message is for people."""


SCHEMA_VERSION = len(MIGRATIONS)
# SQLite's page cache for the catalog's one connection. Its default (2 MiB) filled up with every
# read of a large catalog and stayed in the window's memory; the file is in the OS's cache anyway,
# and a read of 10,000 credentials takes as long with this one (bench/expiry_watch.py).
PAGE_CACHE_KIB = 256
# Every account, in the order the window lists them (also storage/first_read.py's query).
ACCOUNTS_IN_ORDER = "SELECT * FROM accounts ORDER BY name COLLATE NOCASE"


class Catalog:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # timeout: wait up to 10 s for another process's write lock (sqlite's busy_timeout)
            self._db = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=10
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise CatalogError(f"Could not open the catalog at {path}: {exc}") from None
        path.chmod(0o600)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            try:
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self._db.execute("ROLLBACK")
                raise CatalogError(f"Could not save to the catalog: {exc}") from None

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise CatalogError(
                f"The catalog was written by a newer TokenDeck (schema {version}); update TokenDeck."
            )
        for number in range(version, SCHEMA_VERSION):
            with self._tx() as db:
                # executescript() would COMMIT first: run statement by statement in one transaction.
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version={number + 1}")
        import secrets  # on the engine's thread, not on the way to the first rows (first_read.py)

        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('namespace', ?)",
                (secrets.token_hex(8),),
            )

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def namespace(self) -> str:
        """A random id for this profile; the keyring entries of the profile live under it."""
        row = self._db.execute("SELECT value FROM meta WHERE key='namespace'").fetchone()
        return str(row["value"])

    def version(self) -> tuple[int, int]:
        """Changes as soon as anything in the catalog may have changed: SQLite's count of this
        connection's changes, and its `data_version`, which moves when another connection (another
        TokenDeck process, or the secret keeper's) commits. Equal versions, equal contents: what
        lets a read of the whole catalog be shared until a write."""
        row = self._db.execute("PRAGMA data_version").fetchone()
        return int(row[0]), self._db.total_changes

    def integrity_check(self) -> str:
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    # -- accounts ---------------------------------------------------------------------------

    def add_account(self, account: Account) -> Account:
        now = datetime.now(UTC)
        stored = replace(account, id=account.id or new_id(), created_at=now, updated_at=now)
        try:
            with self._tx() as db:
                db.execute(
                    "INSERT INTO accounts(id, name, platform, host, username, auth_method, settings,"
                    " status, status_detail, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        stored.id,
                        stored.name,
                        stored.platform.value,
                        stored.host,
                        stored.username,
                        stored.auth_method,
                        json.dumps(stored.settings.to_json()),
                        stored.status.value,
                        stored.status_detail,
                        iso(now),
                        iso(now),
                    ),
                )
                self._audit(db, "account.add", stored.id, None, stored.name)
        except sqlite3.IntegrityError:
            raise CatalogError(f"An account named {account.name!r} already exists.") from None
        return stored

    def update_account(self, account: Account, *, status: AccountStatus | None = None) -> Account:
        """Save the account's fields; with `status`, set its status (and clear the detail) in the
        same transaction (signing in learns who signed in, and that they did: one write)."""
        now = datetime.now(UTC)
        try:
            with self._tx() as db:
                changed = db.execute(
                    "UPDATE accounts SET name=?, platform=?, host=?, username=?, auth_method=?,"
                    " settings=?, updated_at=? WHERE id=?",
                    (
                        account.name,
                        account.platform.value,
                        account.host,
                        account.username,
                        account.auth_method,
                        json.dumps(account.settings.to_json()),
                        iso(now),
                        account.id,
                    ),
                ).rowcount
                if not changed:
                    raise CatalogError("That account no longer exists.")
                self._audit(db, "account.edit", account.id, None, account.name)
                if status is not None:
                    db.execute(
                        "UPDATE accounts SET status=?, status_detail='' WHERE id=?",
                        (status.value, account.id),
                    )
        except sqlite3.IntegrityError:
            raise CatalogError(f"An account named {account.name!r} already exists.") from None
        if status is not None:
            return replace(account, status=status, status_detail="", updated_at=now)
        return replace(account, updated_at=now)

    def set_account_status(self, account_id: str, status: AccountStatus, detail: str = "") -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE accounts SET status=?, status_detail=?, updated_at=? WHERE id=?",
                (status.value, detail, now_text(), account_id),
            )

    def get_account(self, account_id: str) -> Account | None:
        row = self._db.execute("SELECT * FROM accounts WHERE id=?", (account_id,)).fetchone()
        return account_of(row) if row else None

    def find_account(self, name_or_id: str) -> Account | None:
        row = self._db.execute(
            "SELECT * FROM accounts WHERE id=? OR name=? COLLATE NOCASE", (name_or_id, name_or_id)
        ).fetchone()
        return account_of(row) if row else None

    def list_accounts(self) -> list[Account]:
        cursor = self._db.execute(ACCOUNTS_IN_ORDER)
        with closing(cursor) as rows:  # as the cursor gives them, and closed (list_credentials)
            return [account_of(r) for r in rows]

    def pinned_accounts(self) -> list[tuple[str, str]]:
        """(name, id) of the accounts pinned to the tray, by name: read by SQLite from their
        settings (`"pinned": true`, as `AccountSettings` reads it), without loading an account:
        the tray asks every 30 s."""
        rows = self._db.execute(
            "SELECT name, id FROM accounts WHERE json_valid(settings)"
            " AND json_type(settings, '$.pinned') = 'true' ORDER BY name COLLATE NOCASE"
        ).fetchall()
        return [(str(r["name"]), str(r["id"])) for r in rows]

    def delete_account(self, account_id: str) -> list[str]:
        """Delete the account and its credentials; returns the secret refs they held."""
        with self._tx() as db:
            refs = [
                str(r["secret_ref"])
                for r in db.execute(
                    "SELECT secret_ref FROM credentials WHERE account_id=? AND secret_ref IS NOT NULL",
                    (account_id,),
                )
            ]
            row = db.execute("SELECT name FROM accounts WHERE id=?", (account_id,)).fetchone()
            db.execute("DELETE FROM accounts WHERE id=?", (account_id,))
            self._audit(db, "account.remove", account_id, None, row["name"] if row else "")
        return refs

    # -- credentials ------------------------------------------------------------------------

    def upsert_credential(
        self, credential: Credential, *, action: str = "credential.save"
    ) -> Credential:
        return self.upsert_credentials([credential], action=action)[0]

    def upsert_credentials(
        self,
        credentials: Sequence[Credential],
        *,
        action: str = "credential.save",
        reset_fired: Collection[str] = (),
    ) -> list[Credential]:
        """`upsert_credential` for each, in one transaction (a session and its refresh token);
        the fired warnings of those whose ids are in `reset_fired` are forgotten in it too (a
        renewed session warns afresh about its new expiry)."""
        stored = [replace(c, id=c.id or new_id()) for c in credentials]
        with self._tx() as db:
            for c in stored:
                self._upsert(db, c)
                self._audit(db, action, c.account_id, c.id, c.label)
                if c.id in reset_fired:
                    db.execute("DELETE FROM notifications WHERE credential_id=?", (c.id,))
        return stored

    def _upsert(self, db: sqlite3.Connection, c: Credential) -> None:
        db.execute(
            "INSERT INTO credentials(id, account_id, kind, label, remote_id, scopes, created_at,"
            " expires_at, last_used_at, state, secret_ref, meta, role, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(id) DO UPDATE SET account_id=excluded.account_id, kind=excluded.kind,"
            " label=excluded.label, remote_id=excluded.remote_id, scopes=excluded.scopes,"
            " created_at=excluded.created_at, expires_at=excluded.expires_at,"
            " last_used_at=excluded.last_used_at, state=excluded.state,"
            " secret_ref=excluded.secret_ref, meta=excluded.meta, role=excluded.role,"
            " updated_at=excluded.updated_at",
            (
                c.id,
                c.account_id,
                c.kind.value,
                c.label,
                c.remote_id,
                json.dumps(list(c.scopes)),
                iso(c.created_at),
                iso(c.expires_at),
                iso(c.last_used_at),
                c.state.value,
                c.secret_ref,
                json.dumps(dict(c.meta)),
                c.role.value if c.role else None,
                now_text(),
            ),
        )

    def get_credential(self, credential_id: str) -> Credential | None:
        row = self._db.execute("SELECT * FROM credentials WHERE id=?", (credential_id,)).fetchone()
        return credential_of(row) if row else None

    def accounts_and_credentials(
        self, account_ids: Collection[str]
    ) -> dict[str, tuple[Account | None, list[Credential]]]:
        """Each of these accounts (None if it is gone) with its credentials in label order, by
        id, in two queries (through the primary key and the credentials' account index): what
        saving a session needs, for many accounts in one trip to the catalog's thread."""
        ids = json.dumps(sorted(set(account_ids)))
        accounts = {
            str(r["id"]): account_of(r)
            for r in self._db.execute(
                "SELECT * FROM accounts WHERE id IN (SELECT value FROM json_each(?))", (ids,)
            )
        }
        found: dict[str, tuple[Account | None, list[Credential]]] = {
            account_id: (accounts.get(account_id), []) for account_id in account_ids
        }
        for row in self._db.execute(
            "SELECT * FROM credentials WHERE account_id IN (SELECT value FROM json_each(?))"
            " ORDER BY label",
            (ids,),
        ):
            found[str(row["account_id"])][1].append(credential_of(row))
        return found

    def list_credentials(self, account_id: str | None = None) -> list[Credential]:
        """In label order. Rows are converted as the cursor gives them, never all fetched
        first: 10,000 rows held at once beside the credentials made from them left the heap
        twice as large once they were freed (14 MiB instead of 7; bench/idle.py)."""
        if account_id is None:
            cursor = self._db.execute("SELECT * FROM credentials ORDER BY label")
        else:
            cursor = self._db.execute(
                "SELECT * FROM credentials WHERE account_id=? ORDER BY label", (account_id,)
            )
        with closing(cursor) as rows:  # a row that fails to convert must not leave it open
            return [credential_of(r) for r in rows]

    def held_refs(self) -> list[str]:
        """The secret_ref of every credential holding a secret: what the start-up check of the
        secret store asks it about (`holders_of` then names the ones it lacks)."""
        cursor = self._db.execute(
            "SELECT secret_ref FROM credentials WHERE secret_ref IS NOT NULL AND secret_ref <> ''"
        )
        with closing(cursor) as rows:
            return [str(r[0]) for r in rows]

    def holders_of(
        self, refs: Collection[str], labels: int
    ) -> tuple[frozenset[str], tuple[str, ...]]:
        """The ids of the credentials holding one of `refs`, and the first `labels` of their
        labels in label order; read as SQLite gives the rows, so a check that finds 10,000
        secrets missing keeps their ids and nothing else of them."""
        ids: list[str] = []
        first: list[str] = []
        cursor = self._db.execute(
            "SELECT id, label, secret_ref FROM credentials"
            " WHERE secret_ref IS NOT NULL AND secret_ref <> '' ORDER BY label, id"
        )
        with closing(cursor) as rows:
            for credential_id, label, ref in rows:
                if str(ref) in refs:  # as held_refs gave it
                    ids.append(str(credential_id))
                    if len(first) < labels:
                        first.append(str(label))
        return frozenset(ids), tuple(first)

    def due_credentials(self, horizon: datetime) -> tuple[list[Credential], dict[str, Account]]:
        """The credentials that may warn by `horizon`, with their accounts, by id; read through
        the expiry index, so the work is that of the due rows, not of the whole catalog.

        Not revoked, with an expiry at or before `horizon` (`<=` also leaves out a NULL expiry).
        Expiries are stored as `_iso` text, one UTC offset for all, which sorts as the instants it
        names; `horizon` goes through `_iso` too, so like is compared with like whatever its zone.
        In label order, as `list_credentials` gives them. The accounts come from a second query
        limited to the ids of these credentials' accounts."""
        rows = self._db.execute(
            "SELECT * FROM credentials WHERE expires_at <= ? AND state <> ? ORDER BY label, id",
            (iso(horizon), CredentialState.REVOKED.value),
        ).fetchall()
        return self._with_accounts(rows)

    def sessions_of_accounts(
        self, statuses: Collection[str]
    ) -> tuple[list[Credential], dict[str, Account]]:
        """Every session credential of the accounts in one of `statuses`, with those accounts
        (one query each): what the refresh scheduler looks at every few seconds, bounded by
        the sessions there are, not by the accounts or the tokens."""
        rows = self._db.execute(
            "SELECT c.* FROM credentials AS c JOIN accounts AS a ON a.id = c.account_id"
            " WHERE c.role = 'session' AND a.status IN (SELECT value FROM json_each(?))"
            " ORDER BY c.label, c.id",
            (json.dumps(sorted(statuses)),),
        ).fetchall()
        return self._with_accounts(rows)

    def _with_accounts(
        self, rows: list[sqlite3.Row]
    ) -> tuple[list[Credential], dict[str, Account]]:
        """Credentials from `rows`, with the accounts they belong to (one query), by id."""
        credentials = [credential_of(r) for r in rows]
        account_ids = sorted({c.account_id for c in credentials if c.account_id})
        accounts = self._db.execute(
            "SELECT * FROM accounts WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(account_ids),),
        ).fetchall()
        return credentials, {str(r["id"]): account_of(r) for r in accounts}

    def attention_candidates(
        self,
        horizon: datetime,
        *,
        renewing_platforms: Collection[str],
        auto_refresh: bool,
        soonest: int,
    ) -> tuple[list[Credential], dict[str, Account]]:
        """What the tray may speak of, read without loading the catalog (with the accounts):

        - every unrevoked credential expiring by `horizon` (all that can be in a warning);
        - with automatic refresh on, the sessions TokenDeck would renew on `renewing_platforms`
          whose account is not signed in (a failing renewal needs a person, whatever its expiry);
        - the `soonest` next unrevoked expiries after `horizon` that a person replaces (every
          credential but those sessions), for the list of next expiries.
        Sessions are credentials of role session, renewable unless their meta says
        `"renewable": false` (see services.standing)."""
        rows = self._db.execute(
            "SELECT c.* FROM credentials AS c LEFT JOIN accounts AS a ON a.id = c.account_id"
            " WHERE c.state <> :revoked AND (c.expires_at <= :horizon OR ("
            "  c.role = 'session'"
            "  AND COALESCE(json_extract(c.meta, '$.renewable'), 1) <> 0"
            "  AND a.platform IN (SELECT value FROM json_each(:renewing)) AND :auto"
            "  AND a.status <> 'signed_in'))"
            " UNION SELECT * FROM (SELECT c.* FROM credentials AS c"
            " LEFT JOIN accounts AS a ON a.id = c.account_id"
            " WHERE c.state <> :revoked AND c.expires_at > :horizon AND NOT COALESCE("
            "  c.role = 'session'"
            "  AND COALESCE(json_extract(c.meta, '$.renewable'), 1) <> 0"
            "  AND a.platform IN (SELECT value FROM json_each(:renewing)) AND :auto, 0)"
            " ORDER BY c.expires_at LIMIT :soonest)",
            {
                "revoked": CredentialState.REVOKED.value,
                "horizon": iso(horizon),
                "renewing": json.dumps(sorted(renewing_platforms)),
                "auto": int(auto_refresh),
                "soonest": soonest,
            },
        ).fetchall()
        return self._with_accounts(rows)

    def widest_warn_threshold(self) -> float | None:
        """The widest threshold any account sets for itself (`settings["warn_thresholds"]`, in
        seconds), or None when none sets one: computed by SQLite from the accounts' settings in
        one aggregate, so no account is loaded, and read afresh on each call (a cached value
        would miss an edit made by the accounts service or by another TokenDeck process)."""
        row = self._db.execute(
            "SELECT MAX(CAST(t.value AS REAL)) FROM accounts AS a,"
            " json_each(a.settings, '$.warn_thresholds') AS t"
        ).fetchone()
        return None if row[0] is None else float(row[0])

    def delete_credential(self, credential_id: str) -> None:
        with self._tx() as db:
            row = db.execute(
                "SELECT account_id, label FROM credentials WHERE id=?", (credential_id,)
            ).fetchone()
            db.execute("DELETE FROM credentials WHERE id=?", (credential_id,))
            if row:
                self._audit(db, "credential.remove", row["account_id"], credential_id, row["label"])

    # -- write-before-show journal ----------------------------------------------------------

    def begin_pending(self, credential: Credential) -> None:
        self.begin_pending_all([credential])

    def begin_pending_all(self, credentials: Sequence[Credential]) -> None:
        """The intents to keep these credentials' secrets, in one transaction."""
        if any(not c.secret_ref for c in credentials):
            raise ValueError("a pending secret needs a secret_ref")
        with self._tx() as db:
            db.executemany(
                "INSERT INTO pending_secrets(secret_ref, credential, created_at) VALUES (?,?,?)",
                [(c.secret_ref, json.dumps(credential_dict(c)), now_text()) for c in credentials],
            )

    def complete_pending(self, credential: Credential, *, action: str = "credential.add") -> None:
        self.complete_pending_all([(credential, action)])

    def complete_pending_all(self, done: Sequence[tuple[Credential, str]]) -> None:
        """For each (credential, audit action): its row, its intent removed, the audit entry;
        all in one transaction."""
        with self._tx() as db:
            for credential, action in done:
                self._upsert(db, credential)
                db.execute(
                    "DELETE FROM pending_secrets WHERE secret_ref=?", (credential.secret_ref,)
                )
                self._audit(db, action, credential.account_id, credential.id, credential.label)

    def list_pending(self) -> list[Credential]:
        rows = self._db.execute(
            "SELECT credential FROM pending_secrets ORDER BY created_at"
        ).fetchall()
        return [credential_from_dict(json.loads(r["credential"])) for r in rows]

    def drop_pending(self, secret_ref: str, reason: str) -> None:
        with self._tx() as db:
            row = db.execute(
                "SELECT credential FROM pending_secrets WHERE secret_ref=?", (secret_ref,)
            ).fetchone()
            db.execute("DELETE FROM pending_secrets WHERE secret_ref=?", (secret_ref,))
            if row:
                c = credential_from_dict(json.loads(row["credential"]))
                self._audit(db, "credential.lost", c.account_id, c.id, f"{c.label}: {reason}")

    # -- notification state -----------------------------------------------------------------

    def fired_thresholds(self, credential_id: str) -> set[int]:
        rows = self._db.execute(
            "SELECT threshold_seconds FROM notifications WHERE credential_id=?", (credential_id,)
        ).fetchall()
        return {int(r[0]) for r in rows}

    def fired_for(self, credential_ids: Collection[str]) -> dict[str, set[int]]:
        """The fired thresholds of these credentials only (one query, through the primary key),
        by credential; a credential with none is left out."""
        out: dict[str, set[int]] = {}
        for row in self._db.execute(
            "SELECT credential_id, threshold_seconds FROM notifications"
            " WHERE credential_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(credential_ids)),),
        ):
            out.setdefault(str(row[0]), set()).add(int(row[1]))
        return out

    def fired_all(self) -> dict[str, set[int]]:
        """Every fired threshold, by credential (the watcher reads its due ones' by `fired_for`)."""
        out: dict[str, set[int]] = {}
        for row in self._db.execute("SELECT credential_id, threshold_seconds FROM notifications"):
            out.setdefault(str(row[0]), set()).add(int(row[1]))
        return out

    def mark_fired_many(self, marks: list[tuple[str, int]]) -> None:
        """Record many notifications in one transaction (already fired ones are ignored)."""
        if not marks:
            return
        now = now_text()
        with self._tx() as db:
            db.executemany(
                "INSERT OR IGNORE INTO notifications(credential_id, threshold_seconds, fired_at)"
                " VALUES (?,?,?)",
                [(cid, secs, now) for cid, secs in marks],
            )

    def mark_fired(self, credential_id: str, threshold_seconds: int) -> bool:
        """Record a notification; False if it had already fired (so it is shown once)."""
        with self._tx() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO notifications(credential_id, threshold_seconds, fired_at)"
                " VALUES (?,?,?)",
                (credential_id, threshold_seconds, now_text()),
            )
            return cursor.rowcount == 1

    def reset_fired(self, credential_id: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM notifications WHERE credential_id=?", (credential_id,))

    def reset_fired_for_account(self, account_id: str) -> None:
        """Thresholds changed: let the new ones fire."""
        with self._tx() as db:
            db.execute(
                "DELETE FROM notifications WHERE credential_id IN "
                "(SELECT id FROM credentials WHERE account_id=?)",
                (account_id,),
            )

    # -- audit ------------------------------------------------------------------------------

    def audit(
        self,
        action: str,
        account_id: str | None = None,
        credential_id: str | None = None,
        detail: str = "",
    ) -> None:
        with self._tx() as db:
            self._audit(db, action, account_id, credential_id, detail)

    @staticmethod
    def _audit(
        db: sqlite3.Connection,
        action: str,
        account_id: str | None,
        credential_id: str | None,
        detail: str,
    ) -> None:
        db.execute(
            "INSERT INTO audit_log(at, action, account_id, credential_id, detail) VALUES (?,?,?,?,?)",
            (now_text(), action, account_id, credential_id, detail[:500]),
        )

    def audit_log(self, limit: int = 200) -> list[AuditEntry]:
        rows = self._db.execute(
            "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
        ).fetchall()
        return [
            AuditEntry(
                id=int(r["id"]),
                at=datetime.fromisoformat(r["at"]),
                action=r["action"],
                account_id=r["account_id"],
                credential_id=r["credential_id"],
                detail=r["detail"],
            )
            for r in rows
        ]
