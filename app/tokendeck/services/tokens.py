"""Tokens TokenDeck holds: track a pasted token, list, reveal for copying, forget."""

from __future__ import annotations

import hmac
from datetime import datetime

from tokendeck.core.errors import AlreadyTrackedError, TrackRefusedError
from tokendeck.core.models import Credential, CredentialKind
from tokendeck.core.secret import Secret
from tokendeck.core.token_decode import TokenFormatError, inspect_token
from tokendeck.services.catalog_snapshot import CatalogSnapshot, SnapshotLoader
from tokendeck.services.events import CredentialsChanged, EventBus
from tokendeck.services.standing import ExpiryPolicy, HeldCredential, attention
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.secret_keeper import SecretKeeper


class TokensService:
    def __init__(
        self,
        catalog: AsyncCatalog,
        keeper: SecretKeeper,
        bus: EventBus,
        policy: ExpiryPolicy | None = None,
    ) -> None:
        self._catalog = catalog
        self._keeper = keeper
        self._bus = bus
        self._policy = policy or ExpiryPolicy()
        self._snapshots = SnapshotLoader(catalog, self._policy)

    async def track(self, label: str, token: Secret) -> Credential:
        """Keep a pasted token (secret store first) and watch its expiry like any credential."""
        try:
            inspection = inspect_token(token.reveal())
        except TokenFormatError as exc:
            raise TrackRefusedError(str(exc)) from None
        existing = await self._tracked_copy(token, inspection.expires_at)
        if existing is not None:
            raise AlreadyTrackedError(existing)
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

    async def _tracked_copy(self, token: Secret, expires_at: datetime | None) -> Credential | None:
        """A pasted token already held with the same value. Only the few with the same expiry are
        read back and compared (in constant time): no fingerprint of a secret is kept."""
        credentials = await self._catalog.list_credentials()
        for credential in credentials:
            if credential.kind is not CredentialKind.PASTED_TOKEN:
                continue
            if credential.expires_at != expires_at or not credential.secret_held:
                continue
            held = await self._keeper.read(credential)
            if held is not None and hmac.compare_digest(
                held.reveal().strip().encode(), token.reveal().strip().encode()
            ):
                return credential
        return None

    async def held(self) -> list[HeldCredential]:
        return (await self._snapshots.snapshot()).held

    async def snapshot(self) -> CatalogSnapshot:
        """Every account and every held credential, from one read shared until a change."""
        return await self._snapshots.snapshot()

    async def attention(self, now: datetime, soonest: int) -> list[HeldCredential]:
        """What may need a person now, and the next `soonest` expiries (see standing)."""
        return await attention(self._catalog, self._policy, now, soonest)

    async def reveal(self, credential: Credential) -> Secret | None:
        secret = await self._keeper.read(credential)
        if secret is not None:
            await self._catalog.audit(
                "secret.copy",
                credential.account_id,
                credential.id,
                credential.label,
            )
        return secret

    async def forget(self, credential: Credential) -> None:
        await self._keeper.forget(credential)
        self._bus.publish(CredentialsChanged())
