"""An account's session as kept: the session token and its refresh token, read together and
written together (the secrets one by one, both catalog rows in one transaction: see
SecretKeeper), and the platform's own session ended when signing in minted one that is replaced.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from tokendeck.core.clock import Clock
from tokendeck.core.errors import TokenDeckError
from tokendeck.core.models import (
    Account,
    Credential,
    CredentialKind,
    CredentialRole,
    CredentialState,
)
from tokendeck.core.platform_types import Session
from tokendeck.core.secret import Secret
from tokendeck.services.accounts import AccountsService, of_role
from tokendeck.services.adapter_pool import AdapterPool
from tokendeck.storage.secret_keeper import SecretKeeper, ToKeep
from tokendeck.storage.secret_store import SecretStoreError

log = logging.getLogger(__name__)


def minted(session: Credential) -> bool:
    """Whether signing in minted this session on the platform (so it is ended when dropped)."""
    extra = session.meta.get("extra")
    return isinstance(extra, Mapping) and bool(extra.get("minted"))


class SessionRecords:
    def __init__(
        self, accounts: AccountsService, keeper: SecretKeeper, clock: Clock, pool: AdapterPool
    ) -> None:
        self._accounts = accounts
        self._keeper = keeper
        self._clock = clock
        self._pool = pool

    async def save(
        self, account: Account, session: Session, *, end_previous: bool = True
    ) -> Account | None:
        """The session and its refresh token, written together: the secrets one by one, the
        catalog rows (and journal intents) of both in one transaction (see SecretKeeper).
        Returns the account as the catalog held it just before (None if it is gone)."""
        stored, held = await self._accounts.held_of(account.id)
        names = {account.id: stored.name} if stored is not None else {}
        sessions = of_role(held, CredentialRole.SESSION)
        refresh = of_role(held, CredentialRole.REFRESH)
        extra = {
            k: v
            for k, v in session.extra.items()
            if isinstance(v, (str, int, float, bool, dict, list))
        }
        base = (
            sessions[0]
            if sessions
            else Credential(
                id="",
                kind=CredentialKind.SESSION_TOKEN,
                label=f"{account.name}: session",
                account_id=account.id,
            )
        )
        credential = replace(
            base,
            created_at=self._clock.now(),
            expires_at=session.expires_at,
            state=CredentialState.ACTIVE,
            role=CredentialRole.SESSION,
            meta={"extra": extra, "renewable": session.renewable},
        )
        # Only a session signing in minted on the platform (Trifacta) is ended when replaced;
        # every other refresh reads nothing more.
        previous = (
            await self.held(account) if end_previous and sessions and minted(sessions[0]) else None
        )
        renewed: list[tuple[Credential, Secret]] = []
        new: list[ToKeep] = []
        if sessions:
            renewed.append((credential, session.access))
        else:
            new.append(ToKeep(credential, session.access, "session.new"))
        if session.refresh is not None:
            if refresh:
                renewed.append((refresh[0], session.refresh))
            else:
                new.append(
                    ToKeep(
                        Credential(
                            id="",
                            kind=CredentialKind.REFRESH_TOKEN,
                            label=f"{account.name}: refresh token",
                            account_id=account.id,
                            role=CredentialRole.REFRESH,
                        ),
                        session.refresh,
                        "session.refresh_token",
                    )
                )
        # A renewed session warns afresh about its new expiry.
        await self._keeper.replace_secrets(renewed, reset_fired={credential.id}, names=names)
        await self._keeper.keep_new_secrets(new, names=names)
        if previous is not None and previous[1].access != session.access:
            try:
                await self._pool.adapter(account).end_session(previous[1])
            except TokenDeckError as error:
                log.warning("ending the previous session failed: %s", error.message)
        return stored

    async def read(
        self, account: Account, held: list[Credential] | None = None
    ) -> tuple[Credential, Session] | None:
        """The held session and its refresh token; from `held` (the account's credentials,
        read once by the caller) when given."""
        held = await self._accounts.credentials(account) if held is None else held
        sessions = of_role(held, CredentialRole.SESSION)
        if not sessions:
            return None
        access = await self._keeper.read(sessions[0])
        if access is None:
            return None
        refresh_creds = of_role(held, CredentialRole.REFRESH)
        refresh = await self._keeper.read(refresh_creds[0]) if refresh_creds else None
        extra = sessions[0].meta.get("extra", {})
        return sessions[0], Session(
            access, sessions[0].expires_at, refresh, extra if isinstance(extra, dict) else {}
        )

    async def held(self, account: Account) -> tuple[Credential, Session] | None:
        """The held session, or None when there is none or its secret cannot be read (a
        damaged entry must never block signing in, out or removing: the ways to repair it)."""
        try:
            return await self.read(account)
        except SecretStoreError as error:
            log.warning("the session of %s cannot be read: %s", account.name, error)
            return None
