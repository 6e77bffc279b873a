"""Tokens TokenDeck holds: track a pasted token, list, reveal for copying, forget."""

from __future__ import annotations

from tokendeck.core.models import Credential, CredentialKind
from tokendeck.core.secret import Secret
from tokendeck.core.token_decode import TokenFormatError, inspect_token
from tokendeck.services.events import CredentialsChanged, EventBus
from tokendeck.storage.catalog import AsyncCatalog, Catalog
from tokendeck.storage.secret_keeper import SecretKeeper


class TokensService:
    def __init__(self, catalog: AsyncCatalog, keeper: SecretKeeper, bus: EventBus) -> None:
        self._catalog = catalog
        self._keeper = keeper
        self._bus = bus

    async def track(self, label: str, token: Secret) -> Credential:
        """Keep a pasted token (secret store first) and watch its expiry like any credential."""
        try:
            inspection = inspect_token(token.reveal())
        except TokenFormatError as exc:
            raise ValueError(str(exc)) from None
        meta: dict[str, str] = {"token_kind": inspection.kind.value}
        issuer = inspection.claim_text("iss")
        if issuer:
            meta["issuer"] = issuer
        credential = Credential(
            id="",
            kind=CredentialKind.PASTED_TOKEN,
            label=label.strip() or "Pasted token",
            created_at=inspection.issued_at,
            expires_at=inspection.expires_at,
            meta=meta,
        )
        stored = await self._keeper.keep_new_secret(credential, token, action="token.track")
        self._bus.publish(CredentialsChanged())
        return stored

    async def held(self) -> list[Credential]:
        return await self._catalog.run(Catalog.list_credentials, self._catalog.sync)

    async def reveal(self, credential: Credential) -> Secret | None:
        secret = await self._keeper.read(credential)
        if secret is not None:
            await self._catalog.run(
                Catalog.audit,
                self._catalog.sync,
                "secret.copy",
                credential.account_id,
                credential.id,
                credential.label,
            )
        return secret

    async def forget(self, credential: Credential) -> None:
        await self._keeper.forget(credential)
        self._bus.publish(CredentialsChanged())
