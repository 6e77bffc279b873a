"""API keys of an account: list, create (write-before-show), revoke (confirmed by listing),
rotate, and reveal the secret of one TokenDeck holds."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta

from tokendeck.core.clock import Clock
from tokendeck.core.models import (
    Account,
    Credential,
    CredentialKind,
    CredentialRole,
    CredentialState,
)
from tokendeck.core.platform_types import NewKey, RemoteKey
from tokendeck.core.secret import Secret
from tokendeck.core.timefmt import lifetime_text
from tokendeck.services import key_writes
from tokendeck.services.accounts import AccountsService
from tokendeck.services.adapter_pool import AdapterPool, capabilities
from tokendeck.services.must_finish import must_finish
from tokendeck.services.sessions import SessionsService
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.secret_keeper import SecretKeeper

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rotation:
    name: str
    lifetime: timedelta | None
    scopes: tuple[str, ...]
    lifetime_text: str  # for the question a person answers before rotating


@dataclass(frozen=True, slots=True)
class KeyView:
    """A platform key as listed, with the credential that holds its secret, if any."""

    remote: RemoteKey
    credential: Credential | None

    @property
    def secret_held(self) -> bool:
        return self.credential is not None and self.credential.secret_held


class KeysService:
    def __init__(
        self,
        accounts: AccountsService,
        sessions: SessionsService,
        catalog: AsyncCatalog,
        keeper: SecretKeeper,
        clock: Clock,
        pool: AdapterPool,
    ) -> None:
        self._accounts = accounts
        self._sessions = sessions
        self._catalog = catalog
        self._keeper = keeper
        self._clock = clock
        self._pool = pool

    async def list_keys(self, account: Account) -> list[KeyView]:
        adapter = self._pool.adapter(account)
        remote = await self._sessions.with_session(account, adapter.list_keys)
        held = {
            c.remote_id: c
            for c in await self._accounts.role(account, CredentialRole.KEY)
            if c.remote_id
        }
        for key in remote:  # a key held under an id of an earlier form: record the new id
            old = next((held.pop(a) for a in key.aliases if a in held and key.id not in held), None)
            if old is not None:
                held[key.id] = replace(old, remote_id=key.id)
                await self._catalog.upsert_credential(held[key.id])
        views = [KeyView(k, held.get(k.id)) for k in remote]
        live = {k.id for k in remote if not k.revoked}
        for remote_id, credential in held.items():
            # Gone from the listing, or listed as revoked (Dataloop keeps revoked keys listed).
            if remote_id not in live and credential.state is not CredentialState.REVOKED:
                await self._catalog.upsert_credential(
                    replace(credential, state=CredentialState.REVOKED)
                )
        return views

    async def create_key(
        self, account: Account, name: str, lifetime: timedelta | None, scopes: tuple[str, ...] = ()
    ) -> tuple[Credential, Secret]:
        """Create on the platform, store the secret, then commit the metadata; then show it."""
        adapter = self._pool.adapter(account)
        caps = capabilities()[account.platform]

        async def listed() -> list[RemoteKey]:
            return await self._sessions.with_session(account, adapter.list_keys)

        async def revoke(key_id: str) -> None:
            await self._sessions.with_session(account, lambda s: adapter.revoke_key(s, key_id))

        before = await key_writes.key_ids(listed) if caps.list_keys else None
        started = self._clock.now()

        async def create_and_keep() -> tuple[Credential, Secret]:
            try:
                new: NewKey = await self._sessions.with_session(
                    account, lambda session: adapter.create_key(session, name, lifetime, scopes)
                )
            except key_writes.AMBIGUOUS as error:
                if not key_writes.may_have_happened(error):
                    raise
                raise await key_writes.after_lost_create(
                    error, name, before, listed, revoke if caps.revoke_keys else None, started
                ) from None
            return await self._keep(account, new, scopes)

        # From the request on, a Cancel cannot stop the platform making the key, so it cannot
        # stop TokenDeck keeping its secret either (the platform shows it only this once).
        return await must_finish(create_and_keep(), f"keeping the new key “{name}”")

    async def _keep(
        self, account: Account, new: NewKey, scopes: tuple[str, ...]
    ) -> tuple[Credential, Secret]:
        credential = Credential(
            id="",
            kind=CredentialKind.API_KEY,
            label=f"{account.name}: {new.key.name}",
            account_id=account.id,
            remote_id=new.key.id,
            scopes=new.key.scopes or scopes,
            created_at=new.key.created_at or self._clock.now(),
            expires_at=new.key.expires_at,
            role=CredentialRole.KEY,
            meta={"name": new.key.name},
        )
        stored = await self._keeper.keep_new_secret(credential, new.secret, action="key.create")
        self._accounts.changed(account.id)
        return stored, new.secret

    async def revoke_key(self, account: Account, key_id: str) -> None:
        adapter = self._pool.adapter(account)
        await self._sessions.with_session(
            account, lambda session: adapter.revoke_key(session, key_id)
        )
        if capabilities()[account.platform].list_keys:
            await key_writes.confirm_revoked(
                key_id, lambda: self._sessions.with_session(account, adapter.list_keys)
            )
        for credential in await self._accounts.role(account, CredentialRole.KEY):
            if credential.remote_id == key_id:
                if credential.secret_ref is not None:
                    await self._keeper.store.delete(credential.secret_ref)
                await self._catalog.upsert_credential(
                    replace(credential, state=CredentialState.REVOKED, secret_ref=None),
                    action="key.revoke",
                )
        self._accounts.changed(account.id)

    def rotation(self, account: Account, old: RemoteKey) -> Rotation:
        """What rotating `old` creates: the same name (marked), scopes and lifetime, or, when the
        platform does not report the old lifetime, its first choice, said as such."""
        caps = capabilities()[account.platform]
        name = f"{old.name} (rotated)"
        if old.expires_at and old.created_at:
            lifetime = old.expires_at - old.created_at
            return Rotation(
                name, lifetime, old.scopes, f"the same lifetime ({lifetime_text(lifetime)})"
            )
        if old.expires_at is None or not caps.expiry_choices:
            fixed = caps.key_lifetime_fixed
            said = (
                f"a lifetime of {lifetime_text(fixed)}, fixed by the platform"
                if fixed
                else "no expiry"
            )
            return Rotation(name, None, old.scopes, said)
        choice = next((c for c in caps.expiry_choices if c.lifetime), caps.expiry_choices[0])
        return Rotation(
            name,
            choice.lifetime,
            old.scopes,
            f"a lifetime of {choice.label} (the platform does not report the old key's; "
            "create a key yourself to choose another)",
        )

    async def rotate_key(self, account: Account, old: RemoteKey) -> tuple[Credential, Secret]:
        """Create the replacement `rotation()` describes; revoking the old one is offered."""
        plan = self.rotation(account, old)
        credential, secret = await self.create_key(account, plan.name, plan.lifetime, plan.scopes)
        await self._catalog.audit("key.rotate", account.id, None, f"replaces {old.name}")
        return credential, secret

    async def reveal_key(self, credential: Credential) -> Secret | None:
        return await self._keeper.read(credential)
