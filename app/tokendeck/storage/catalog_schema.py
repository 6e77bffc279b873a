"""The catalog's schema, as the list of migrations that build it: a profile at schema N runs
migrations N+1.. in order, each in one transaction (see `Catalog._migrate`). Never edit one that
shipped: add the next."""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        platform TEXT NOT NULL,
        host TEXT NOT NULL,
        username TEXT NOT NULL DEFAULT '',
        auth_method TEXT NOT NULL DEFAULT '',
        settings TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL DEFAULT 'needs_login',
        status_detail TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE credentials (
        id TEXT PRIMARY KEY,
        account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        label TEXT NOT NULL,
        remote_id TEXT,
        scopes TEXT NOT NULL DEFAULT '[]',
        created_at TEXT,
        expires_at TEXT,
        last_used_at TEXT,
        state TEXT NOT NULL DEFAULT 'active',
        secret_ref TEXT UNIQUE,
        meta TEXT NOT NULL DEFAULT '{}',
        updated_at TEXT NOT NULL
    );
    CREATE INDEX credentials_account ON credentials(account_id);
    CREATE INDEX credentials_expiry ON credentials(expires_at);
    CREATE TABLE pending_secrets (
        secret_ref TEXT PRIMARY KEY,
        credential TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE notifications (
        credential_id TEXT NOT NULL REFERENCES credentials(id) ON DELETE CASCADE,
        threshold_seconds INTEGER NOT NULL,
        fired_at TEXT NOT NULL,
        PRIMARY KEY (credential_id, threshold_seconds)
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        account_id TEXT,
        credential_id TEXT,
        detail TEXT NOT NULL DEFAULT ''
    );
    """,
    # 2: a credential's role is a column (it was `meta.role`), in the pending journal too
    """
    ALTER TABLE credentials ADD COLUMN role TEXT
        CHECK (role IS NULL OR role IN ('input', 'session', 'refresh', 'key'));
    UPDATE credentials SET role = json_extract(meta, '$.role'), meta = json_remove(meta, '$.role')
        WHERE json_valid(meta) AND json_type(meta) = 'object'
        AND json_extract(meta, '$.role') IN ('input', 'session', 'refresh', 'key');
    CREATE INDEX credentials_role ON credentials(role);
    UPDATE pending_secrets SET credential = json_set(  -- ('' ||: meta stays a JSON string)
        credential,
        '$.role', json_extract(json_extract(credential, '$.meta'), '$.role'),
        '$.meta', '' || json_remove(json_extract(credential, '$.meta'), '$.role'))
        WHERE json_valid(credential) AND json_type(credential, '$.meta') = 'text'
        AND json_valid(json_extract(credential, '$.meta'))
        AND json_extract(json_extract(credential, '$.meta'), '$.role')
            IN ('input', 'session', 'refresh', 'key');
    """,
)
