"""Accounts on platforms: add / edit / pin, their credentials, and their stored secret inputs.

What is kept where:
- the account row holds the non-secret inputs (`settings.inputs`: e-mail, client id, ...);
- each secret input (password, API secret, client secret, pasted token) is a credential of role
  input (`meta.field` names the form field), its value in the secret store;
- the session is a credential of role session (kind session_token) with its expiry, and its
  refresh token another of role refresh (see sessions.py);
- a key created through TokenDeck is a credential of role key (`remote_id` = the platform's id),
  stored write-before-show (see keys.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from tokendeck.core.errors import (
    AuthError,
    CertificateError,
    NetworkError,
    TokenDeckError,
    UnsupportedError,
)
from tokendeck.core.models import (
    Account,
    AccountStatus,
    Credential,
    CredentialKind,
    CredentialRole,
)
from tokendeck.core.secret import Secret
from tokendeck.services.adapter_pool import AdapterPool, capabilities
from tokendeck.services.events import AccountsChanged, CredentialsChanged, EventBus
from tokendeck.services.held_reads import HeldReads
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.catalog import new_id
from tokendeck.storage.secret_keeper import SecretKeeper

SECRET_KINDS: Mapping[str, CredentialKind] = {
    "password": CredentialKind.PASSWORD,
    "api_key": CredentialKind.API_KEY,
    "api_secret": CredentialKind.API_SECRET,
    "client_secret": CredentialKind.CLIENT_SECRET,
    "access_token": CredentialKind.SESSION_TOKEN,
    "token": CredentialKind.PASTED_TOKEN,
}


def of_role(credentials: list[Credential], role: CredentialRole) -> list[Credential]:
    return [c for c in credentials if c.role is role]


class AccountsService:
    def __init__(
        self,
        catalog: AsyncCatalog,
        keeper: SecretKeeper,
        bus: EventBus,
        pool: AdapterPool,
    ) -> None:
        self._catalog = catalog
        self._keeper = keeper
        self._bus = bus
        self._pool = pool
        self._held = HeldReads(catalog)

    async def all_accounts(self) -> list[Account]:
        accounts: list[Account] = await self._catalog.list_accounts()
        return accounts

    async def pinned(self) -> list[tuple[str, str]]:
        """(name, id) of the accounts pinned to the tray."""
        pinned: list[tuple[str, str]] = await self._catalog.pinned_accounts()
        return pinned

    async def get(self, account_id: str) -> Account:
        account: Account | None = await self._catalog.find_account(account_id)
        if account is None:
            raise TokenDeckError(f"No account named or with id {account_id!r}.")
        return account

    async def credentials(self, account: Account) -> list[Credential]:
        return (await self._held.of(account.id))[1]

    async def held_of(self, account_id: str) -> tuple[Account | None, list[Credential]]:
        """The account as stored and its credentials, read together (see HeldReads)."""
        return await self._held.of(account_id)

    async def role(self, account: Account, role: CredentialRole) -> list[Credential]:
        return of_role(await self.credentials(account), role)

    async def secret_inputs(
        self, account: Account, held: list[Credential] | None = None
    ) -> dict[str, Secret]:
        """The stored secret inputs, by field; from `held` (the account's credentials, read
        once by the caller) when given."""
        out: dict[str, Secret] = {}
        inputs = (
            await self.role(account, CredentialRole.INPUT)
            if held is None
            else of_role(held, CredentialRole.INPUT)
        )
        for credential in inputs:
            value = await self._keeper.read(credential)
            if value is not None:
                out[str(credential.meta.get("field"))] = value
        return out

    def changed(self, account_id: str | None = None) -> None:
        self._bus.publish(AccountsChanged(account_id))
        self._bus.publish(CredentialsChanged())

    async def add(
        self, draft: Account, inputs: Mapping[str, str], secrets: Mapping[str, Secret]
    ) -> Account:
        if draft.platform not in capabilities():
            raise UnsupportedError(f"{draft.platform.value} accounts are not supported yet.")
        methods = capabilities()[draft.platform].sign_in_methods
        method = draft.auth_method or next(
            (m for m in methods if m in secrets or (m == "token" and "access_token" in secrets)),
            methods[0],
        )
        account = replace(
            draft,
            id=draft.id or new_id(),
            auth_method=method,
            settings=replace(draft.settings, inputs=dict(inputs)),
            status=AccountStatus.NEEDS_LOGIN,
        )
        account = await self._catalog.add_account(account)
        try:
            await self.store_inputs(account, secrets)
        except Exception:
            await self._keeper.forget_account(account.id)
            raise
        self.changed(account.id)
        return account

    async def store_inputs(self, account: Account, secrets: Mapping[str, Secret]) -> None:
        existing = {
            str(c.meta.get("field")): c for c in await self.role(account, CredentialRole.INPUT)
        }
        labels = {f.name: f.label for f in capabilities()[account.platform].fields}
        for field, value in secrets.items():
            if not value:
                continue
            old = existing.get(field)
            credential = old or Credential(
                id="",
                kind=SECRET_KINDS.get(field, CredentialKind.API_SECRET),
                label=f"{account.name}: {labels.get(field, field)}",
                account_id=account.id,
                role=CredentialRole.INPUT,
                meta={"field": field},
            )
            if old is not None:
                await self._keeper.replace_secret(old, value)
            else:
                await self._keeper.keep_new_secret(credential, value, action="account.secret")

    async def edit(
        self, account: Account, inputs: Mapping[str, str], secrets: Mapping[str, Secret]
    ) -> Account:
        updated = replace(account, settings=replace(account.settings, inputs=dict(inputs)))
        await self._catalog.reset_fired_for_account(account.id)
        updated = await self._catalog.update_account(updated)
        await self.store_inputs(updated, secrets)
        await self._pool.drop(account.id)
        self.changed(account.id)
        return updated

    async def set_pinned(self, account: Account, pinned: bool) -> Account:
        updated = replace(account, settings=replace(account.settings, pinned=pinned))
        updated = await self._catalog.update_account(updated)
        self.changed(account.id)
        return updated

    async def stored_secret_fields(self, account: Account) -> frozenset[str]:
        """The secret inputs held for `account`, by form field (e.g. {"password"})."""
        return frozenset(
            str(c.meta.get("field"))
            for c in await self.role(account, CredentialRole.INPUT)
            if c.secret_held
        )

    async def set_status(
        self, account: Account, status: AccountStatus, detail: str = ""
    ) -> Account:
        await self._catalog.set_account_status(account.id, status, detail)
        return replace(account, status=status, status_detail=detail)

    async def status_for(self, account: Account, error: TokenDeckError) -> None:
        if isinstance(error, NetworkError) and not isinstance(error, CertificateError):
            await self.set_status(account, AccountStatus.OFFLINE, error.message)
        elif isinstance(error, AuthError):
            await self.set_status(account, AccountStatus.NEEDS_LOGIN, error.message)
        else:
            await self.set_status(account, AccountStatus.ERROR, error.message)
        self.changed(account.id)
