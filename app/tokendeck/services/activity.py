"""What happened, from the audit log the catalog keeps: each entry in words a person reads, with
the account's name (or the name it had, for a removed one). Never a secret: the log holds
actions, ids, labels and names only (storage/catalog.py `_audit`).

Also the CSV export of it: cells that a spreadsheet would run as a formula (starting with =, +,
-, @, a tab or a carriage return: a label is whatever a platform sent) are written with a
leading apostrophe, as OWASP advises for CSV injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from tokendeck.core.timefmt import utc_iso

if TYPE_CHECKING:
    from tokendeck.storage.async_catalog import AsyncCatalog

ACTIVITY_LIMIT = 10_000  # the newest entries shown and exported

# action -> (what a person calls it, its kind for the filter)
ACTIONS: dict[str, tuple[str, str]] = {
    "account.add": ("Account added", "Accounts"),
    "account.edit": ("Account edited", "Accounts"),
    "account.remove": ("Account removed", "Accounts"),
    "account.secret": ("Account secret saved", "Accounts"),
    "account.sign_in": ("Signed in", "Accounts"),
    "account.sign_out": ("Signed out", "Accounts"),
    "credential.add": ("Credential saved", "Sessions and tokens"),
    "credential.save": ("Credential saved", "Sessions and tokens"),
    "credential.update": ("Credential renewed", "Sessions and tokens"),
    "credential.remove": ("Credential removed", "Sessions and tokens"),
    "credential.lost": ("Secret missing from the store", "Secret store"),
    "credential.recover": ("Secret recovered", "Secret store"),
    "key.create": ("API key created", "API keys"),
    "key.revoke": ("API key revoked", "API keys"),
    "key.rotate": ("API key rotated", "API keys"),
    "token.track": ("Token tracked", "Sessions and tokens"),
    "session.new": ("Session saved", "Sessions and tokens"),
    "session.refresh_token": ("Refresh token saved", "Sessions and tokens"),
    "secret.copy": ("Secret copied", "Copies"),
    "store.move": ("Secrets moved to another store", "Secret store"),
    "plaintext.import": ("Imported from a plaintext file", "Imports"),
    "plaintext.remove": ("Plaintext copy taken out of its file", "Imports"),
}
# The actions whose detail is the account's name (storage/catalog.py, services/sessions.py).
NAMED = ("account.add", "account.edit", "account.remove", "account.sign_out")
KINDS = (
    "Accounts",
    "API keys",
    "Sessions and tokens",
    "Copies",
    "Imports",
    "Secret store",
    "Other",
)
HEADERS = ("When (UTC)", "What", "Account", "Credential", "Detail")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class ActivityRow:
    at: datetime
    action: str  # as logged, e.g. "key.create"
    what: str
    kind: str
    account: str  # the account's name ("" for none; the logged name for a removed one)
    credential: str
    detail: str


async def activity(catalog: AsyncCatalog, limit: int = ACTIVITY_LIMIT) -> list[ActivityRow]:
    """The newest `limit` entries, newest first."""
    entries = await catalog.audit_log(limit)
    names = {a.id: a.name for a in await catalog.list_accounts()}
    for entry in entries:  # a removed account: the newest name the log holds for it
        if entry.action in NAMED and entry.account_id and entry.account_id not in names:
            names[entry.account_id] = entry.detail
    rows = []
    for entry in entries:
        what, kind = ACTIONS.get(entry.action, (entry.action, "Other"))
        account = names.get(entry.account_id or "", "")
        credential = entry.detail if entry.credential_id else ""
        detail = "" if entry.detail in (account, credential) else entry.detail
        rows.append(ActivityRow(entry.at, entry.action, what, kind, account, credential, detail))
    return rows


def cells(row: ActivityRow) -> tuple[str, str, str, str, str]:
    return (utc_iso(row.at), row.what, row.account, row.credential, row.detail)


def to_csv(rows: Iterable[ActivityRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_inert(cell) for cell in cells(row)])
    return out.getvalue()


def _inert(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def matches(row: ActivityRow, kinds: Sequence[str], text: str) -> bool:
    """Whether `row` is of one of `kinds` (all when empty) and holds `text` in any column."""
    if kinds and row.kind not in kinds:
        return False
    needle = text.strip().casefold()
    return not needle or any(needle in cell.casefold() for cell in cells(row))
