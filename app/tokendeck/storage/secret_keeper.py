"""Secrets and their metadata, kept consistent across the catalog and the secret store.

`keep_new_secret` is rule 3 (write-before-show) for a secret a platform shows once:
  1. commit the intent (the credential's metadata) to the catalog's `pending_secrets` journal;
  2. write the secret to the store;
  3. in one transaction, insert the credential row and remove the intent.
Only then may the UI show the secret. A crash after 1 leaves an intent; `reconcile()` on the next
start re-attaches it if the store holds the secret, or reports it as lost (the platform still
lists the key, without its secret) — it never deletes anything silently. Whether the store still
holds every other secret is `check_held()`, in bulk and in the background (it grows with the
catalog; nothing waits for it).

Removing goes the other way (secret first, then the row), so a crash never leaves a secret in the
store that no row points to.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from tokendeck.core.models import Credential
from tokendeck.core.secret import Secret
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.catalog import CatalogError, new_id
from tokendeck.storage.secret_store import (
    ClosedStore,
    SecretAbout,
    SecretStore,
    SecretStoreError,
)

LABELS_SHOWN = 5  # a summary names this many credentials, then counts the rest


@dataclass(frozen=True, slots=True)
class MissingSecrets:
    """Held credentials whose secret the store no longer has: their ids, which the "Secret held"
    columns look up, and the labels of the first few, which the summary names. Not the rows: a
    check that found 10,000 missing kept 2 MiB of them for the life of the window."""

    ids: frozenset[str] = frozenset()
    first_labels: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class ReconcileReport:
    reattached: list[Credential] = field(default_factory=list)
    lost: list[Credential] = field(default_factory=list)
    missing_secrets: MissingSecrets = MissingSecrets()
    # Interrupted saves whose secret could not be checked: their journal entries are kept.
    unchecked: list[Credential] = field(default_factory=list)
    # Held credentials whose secret could not be read (the store failed, or it is damaged).
    unreadable: list[Credential] = field(default_factory=list)
    # One sentence per failure, for the log and the status bar; never a secret.
    problems: list[str] = field(default_factory=list)
    # The store could not say which secrets it holds (closed, locked, failing).
    held_unknown: bool = False

    @property
    def clean(self) -> bool:
        return not (
            self.reattached
            or self.lost
            or self.missing_secrets
            or self.unchecked
            or self.unreadable
            or self.problems
        )

    def summary(self) -> str:
        """One line for the status bar and the log: counts, and the first few labels."""
        parts = []
        if self.reattached:
            parts.append(f"{len(self.reattached)} interrupted save(s) recovered")
        if self.lost:
            labels = _labels(self.lost)
            parts.append(f"{len(self.lost)} secret(s) never reached the store ({labels})")
        if self.missing_secrets:
            missing = self.missing_secrets
            labels = _named(missing.first_labels, len(missing))
            parts.append(f"{len(missing)} secret(s) missing from the store ({labels})")
        if self.unchecked:
            labels = _labels(self.unchecked)
            parts.append(
                f"{len(self.unchecked)} interrupted save(s) could not be checked and are kept "
                f"for the next start ({labels})"
            )
        if self.unreadable:
            labels = _labels(self.unreadable)
            parts.append(f"{len(self.unreadable)} secret(s) could not be read ({labels})")
        if self.problems:
            parts.append("; ".join(dict.fromkeys(self.problems)))
        return "; ".join(parts) or "catalog and secret store agree"


def _labels(credentials: Sequence[Credential]) -> str:
    return _named([c.label for c in credentials[:LABELS_SHOWN]], len(credentials))


def _named(first: Sequence[str], count: int) -> str:
    shown = ", ".join(first[:LABELS_SHOWN])
    rest = count - LABELS_SHOWN
    return f"{shown} and {rest} more" if rest > 0 else shown


def _why(exc: Exception) -> str:
    """A failure in words that cannot carry a secret: store errors never do; others by type."""
    if isinstance(exc, SecretStoreError | CatalogError):
        return str(exc)
    return type(exc).__name__


class ToKeep(NamedTuple):
    """A new secret to keep, with its credential and the audit action that records it."""

    credential: Credential
    secret: Secret
    action: str = "credential.add"


class SecretKeeper:
    def __init__(self, catalog: AsyncCatalog, store: SecretStore) -> None:
        self.catalog = catalog
        self.store = store

    async def keep_new_secret(
        self, credential: Credential, secret: Secret, *, action: str = "credential.add"
    ) -> Credential:
        """Store `secret` durably, then commit `credential`; returns the stored credential."""
        return (await self.keep_new_secrets([ToKeep(credential, secret, action)]))[0]

    async def keep_new_secrets(
        self, items: Sequence[ToKeep], *, names: Mapping[str, str] | None = None
    ) -> list[Credential]:
        """`keep_new_secret` for secrets that come together (a session and its refresh token):
        every intent in one transaction, then each secret to the store, then every row in one
        transaction. If a store write fails, the secrets already written still get their rows
        (as one by one), the failed one's intent stays for `reconcile()`, and the error is
        raised. `names`: account names by id, as the caller has just read them (for the
        store's labels; those accounts are not read again)."""
        if not items:
            return []
        stored = [
            replace(
                item.credential,
                id=item.credential.id or new_id(),
                secret_ref=item.credential.secret_ref or str(uuid.uuid4()),
            )
            for item in items
        ]
        await self.catalog.begin_pending_all(stored)
        written: list[tuple[Credential, str]] = []
        try:
            for credential, item, about in zip(
                stored, items, await self._abouts(stored, names), strict=True
            ):
                await self.store.set(credential.secret_ref or "", item.secret, about)
                written.append((credential, item.action))
        finally:
            if written:
                await self.catalog.complete_pending_all(written)
        return stored

    async def replace_secret(self, credential: Credential, secret: Secret) -> Credential:
        """New value for a held secret (a refreshed token): same ref, metadata updated after."""
        return (await self.replace_secrets([(credential, secret)]))[0]

    async def replace_secrets(
        self,
        items: Sequence[tuple[Credential, Secret]],
        *,
        reset_fired: Collection[str] = (),
        names: Mapping[str, str] | None = None,
    ) -> list[Credential]:
        """`replace_secret` for secrets renewed together (a session and its refresh token):
        each to the store under its ref, then every row in one transaction (the rows of those
        written, if a write fails), which also forgets the fired warnings of the credentials
        whose ids are in `reset_fired`. One without a ref is kept as a new secret. `names` as
        for `keep_new_secrets`."""
        fresh = iter(
            await self.keep_new_secrets(
                [ToKeep(c, s) for c, s in items if c.secret_ref is None], names=names
            )
        )
        held = [(c, s) for c, s in items if c.secret_ref is not None]
        written: list[Credential] = []
        try:
            for (credential, secret), about in zip(
                held, await self._abouts([c for c, _ in held], names), strict=True
            ):
                await self.store.set(credential.secret_ref or "", secret, about)
                written.append(credential)
        finally:
            if written:
                await self.catalog.upsert_credentials(
                    written,
                    action="credential.update",
                    reset_fired=reset_fired,
                )
        renewed = iter(written)
        return [next(fresh) if c.secret_ref is None else next(renewed) for c, _ in items]

    async def _abouts(
        self, credentials: Sequence[Credential], known: Mapping[str, str] | None = None
    ) -> list[SecretAbout]:
        """How the secret store names each secret for a person ("ACCOUNT: LABEL"), reading each
        account once (none whose name is `known`)."""
        names: dict[str, str | None] = {**(known or {})}
        for account_id in {c.account_id for c in credentials if c.account_id} - names.keys():
            try:
                account = await self.catalog.get_account(account_id)
            except CatalogError:
                account = None  # a label is a courtesy: never a reason to fail a save
            names[account_id] = account.name if account else None
        out = []
        for credential in credentials:
            name = names.get(credential.account_id or "")
            title = f"{name}: {credential.label}" if name is not None else credential.label
            out.append(SecretAbout(title, credential.account_id or "", credential.kind.value))
        return out

    async def read(self, credential: Credential) -> Secret | None:
        if credential.secret_ref is None:
            return None
        return await self.store.get(credential.secret_ref)

    async def forget(self, credential: Credential) -> None:
        if credential.secret_ref is not None:
            await self.store.delete(credential.secret_ref)
        await self.catalog.delete_credential(credential.id)

    async def forget_account(self, account_id: str) -> None:
        credentials = await self.catalog.list_credentials(account_id)
        for credential in credentials:
            if credential.secret_ref is not None:
                await self.store.delete(credential.secret_ref)
        await self.catalog.delete_account(account_id)

    async def reconcile(self) -> ReconcileReport:
        """Finish or report every interrupted save (the write-before-show journal).

        Never raises (each entry's failure is reported and the rest go on), and drops a journal
        entry only when the store positively says its secret is not there: against a closed
        store, or when the store fails to answer, the entry is kept for the next start. Cheap
        when nothing was interrupted (one query), so it runs before any secret is used."""
        report = ReconcileReport()
        try:
            pending = await self.catalog.list_pending()
        except Exception as exc:
            report.problems.append(f"the interrupted saves could not be listed ({_why(exc)})")
            pending = []
        if isinstance(self.store, ClosedStore):
            report.unchecked.extend(pending)
            if pending:
                report.problems.append("no secret store is open to check them against")
            return report
        for entry in pending:
            await self._settle(entry, report)
        return report

    async def check_held(self) -> ReconcileReport:
        """Which held credentials' secrets the store no longer has (`missing_secrets`), asked
        in bulk (`SecretStore.present`: one listing on the Secret Service, no secret read).
        Never raises; if the store cannot tell, `held_unknown` is set and a problem said."""
        report = ReconcileReport()
        if isinstance(self.store, ClosedStore):
            report.held_unknown = True
            return report
        step = "listed"
        try:
            held = await self.catalog.held_refs()
            step = "checked"
            absent = set(held).difference(await self.store.present(held))
            del held  # 10,000 refs, not kept while the missing ones are named
            step = "listed"
            if absent:
                ids, labels = await self.catalog.holders_of(absent, LABELS_SHOWN)
                report.missing_secrets = MissingSecrets(ids, labels)
        except Exception as exc:
            report.held_unknown = True
            report.problems.append(f"the held secrets could not be {step} ({_why(exc)})")
        return report

    async def _settle(self, entry: Credential, report: ReconcileReport) -> None:
        ref = entry.secret_ref or ""
        try:
            held = await self.store.get(ref)
        except Exception as exc:
            report.unchecked.append(entry)
            report.problems.append(f"{entry.label}: {_why(exc)}")
            return
        try:
            if held is not None:
                await self.catalog.complete_pending(
                    entry,
                    action="credential.recover",
                )
                report.reattached.append(entry)
            else:
                await self.catalog.drop_pending(
                    ref,
                    "the app stopped before the secret was stored",
                )
                report.lost.append(entry)
        except Exception as exc:
            report.unchecked.append(entry)
            report.problems.append(f"{entry.label}: {_why(exc)}")

    async def move_all(self, target: SecretStore) -> int:
        """Copy every held secret to `target`, check it reads back, then delete it here."""
        credentials = [c for c in await self.catalog.list_credentials() if c.secret_ref]
        moved: list[str] = []
        abouts = await self._abouts(credentials)  # each account read once, not once a secret
        for credential, about in zip(credentials, abouts, strict=True):
            ref = credential.secret_ref or ""
            value = await self.store.get(ref)
            if value is None:
                continue
            await target.set(ref, value, about)
            if await target.get(ref) != value:
                raise SecretStoreError(f"The new store did not keep '{credential.label}'.")
            moved.append(ref)
        for ref in moved:
            await self.store.delete(ref)
        self.store = target
        await self.catalog.audit("store.move", None, None, f"{len(moved)} secrets")
        return len(moved)
