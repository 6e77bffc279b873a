"""Secrets and their metadata, kept consistent across the catalog and the secret store.

`keep_new_secret` is rule 3 (write-before-show) for a secret a platform shows once:
  1. commit the intent (the credential's metadata) to the catalog's `pending_secrets` journal;
  2. write the secret to the store;
  3. in one transaction, insert the credential row and remove the intent.
Only then may the UI show the secret. A crash after 1 leaves an intent; `reconcile()` on the next
start re-attaches it if the store holds the secret, or reports it as lost (the platform still
lists the key, without its secret) — it never deletes anything silently.

Removing goes the other way (secret first, then the row), so a crash never leaves a secret in the
store that no row points to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from tokendeck.core.models import Credential
from tokendeck.core.secret import Secret
from tokendeck.storage.catalog import AsyncCatalog, Catalog, new_id
from tokendeck.storage.secret_store import SecretStore, SecretStoreError


@dataclass
class ReconcileReport:
    reattached: list[Credential] = field(default_factory=list)
    lost: list[Credential] = field(default_factory=list)
    missing_secrets: list[Credential] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.reattached or self.lost or self.missing_secrets)

    def summary(self) -> str:
        parts = []
        if self.reattached:
            parts.append(f"{len(self.reattached)} interrupted save(s) recovered")
        if self.lost:
            labels = ", ".join(c.label for c in self.lost)
            parts.append(f"{len(self.lost)} secret(s) never reached the store ({labels})")
        if self.missing_secrets:
            labels = ", ".join(c.label for c in self.missing_secrets)
            parts.append(f"{len(self.missing_secrets)} secret(s) missing from the store ({labels})")
        return "; ".join(parts) or "catalog and secret store agree"


class SecretKeeper:
    def __init__(self, catalog: AsyncCatalog, store: SecretStore) -> None:
        self.catalog = catalog
        self.store = store

    async def keep_new_secret(
        self, credential: Credential, secret: Secret, *, action: str = "credential.add"
    ) -> Credential:
        """Store `secret` durably, then commit `credential`; returns the stored credential."""
        stored = replace(
            credential,
            id=credential.id or new_id(),
            secret_ref=credential.secret_ref or str(uuid.uuid4()),
        )
        await self.catalog.run(Catalog.begin_pending, self.catalog.sync, stored)
        await self.store.set(stored.secret_ref or "", secret)
        await self.catalog.run(Catalog.complete_pending, self.catalog.sync, stored, action=action)
        return stored

    async def replace_secret(self, credential: Credential, secret: Secret) -> Credential:
        """New value for a held secret (a refreshed token): same ref, metadata updated after."""
        if credential.secret_ref is None:
            return await self.keep_new_secret(credential, secret)
        await self.store.set(credential.secret_ref, secret)
        return await self.catalog.run(
            Catalog.upsert_credential, self.catalog.sync, credential, action="credential.update"
        )

    async def read(self, credential: Credential) -> Secret | None:
        if credential.secret_ref is None:
            return None
        return await self.store.get(credential.secret_ref)

    async def forget(self, credential: Credential) -> None:
        if credential.secret_ref is not None:
            await self.store.delete(credential.secret_ref)
        await self.catalog.run(Catalog.delete_credential, self.catalog.sync, credential.id)

    async def forget_account(self, account_id: str) -> None:
        credentials = await self.catalog.run(
            Catalog.list_credentials, self.catalog.sync, account_id
        )
        for credential in credentials:
            if credential.secret_ref is not None:
                await self.store.delete(credential.secret_ref)
        await self.catalog.run(Catalog.delete_account, self.catalog.sync, account_id)

    async def reconcile(self, *, check_held: bool = True) -> ReconcileReport:
        report = ReconcileReport()
        for pending in await self.catalog.run(Catalog.list_pending, self.catalog.sync):
            ref = pending.secret_ref or ""
            if await self.store.get(ref) is not None:
                await self.catalog.run(
                    Catalog.complete_pending,
                    self.catalog.sync,
                    pending,
                    action="credential.recover",
                )
                report.reattached.append(pending)
            else:
                await self.catalog.run(
                    Catalog.drop_pending,
                    self.catalog.sync,
                    ref,
                    "the app stopped before the secret was stored",
                )
                report.lost.append(pending)
        if check_held:
            for credential in await self.catalog.run(Catalog.list_credentials, self.catalog.sync):
                if credential.secret_ref and await self.store.get(credential.secret_ref) is None:
                    report.missing_secrets.append(credential)
        return report

    async def move_all(self, target: SecretStore) -> int:
        """Copy every held secret to `target`, check it reads back, then delete it here."""
        credentials = [
            c
            for c in await self.catalog.run(Catalog.list_credentials, self.catalog.sync)
            if c.secret_ref
        ]
        moved: list[str] = []
        for credential in credentials:
            ref = credential.secret_ref or ""
            value = await self.store.get(ref)
            if value is None:
                continue
            await target.set(ref, value)
            if await target.get(ref) != value:
                raise SecretStoreError(f"The new store did not keep '{credential.label}'.")
            moved.append(ref)
        for ref in moved:
            await self.store.delete(ref)
        self.store = target
        await self.catalog.run(
            Catalog.audit, self.catalog.sync, "store.move", None, None, f"{len(moved)} secrets"
        )
        return len(moved)
