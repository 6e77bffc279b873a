"""Signing in and out, refreshing before expiry, the current token, and the connection test.

The session is a credential of role session, its refresh token one of role refresh, written
together (see session_records.py). Refreshes of one account never overlap (the pool's lock), and a
session signing in minted on the platform (Trifacta's) is ended there when it is replaced.

Longer than most modules: every way a session begins (signing in, with an edit, imported), is
renewed and ends takes the same per-account lock and the same records; split, they would hand
each other the lock.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

from tokendeck.core.clock import Clock
from tokendeck.core.errors import (
    AuthError,
    TokenDeckError,
    UnsupportedError,
)
from tokendeck.core.models import (
    Account,
    AccountStatus,
    Credential,
    CredentialRole,
)
from tokendeck.core.platform_types import SESSION_LABEL_INPUT, ProbeResult, Session
from tokendeck.core.secret import Secret
from tokendeck.services.accounts import AccountsService
from tokendeck.services.adapter_pool import AdapterPool, capabilities
from tokendeck.services.must_finish import must_finish
from tokendeck.services.session_records import SessionRecords, minted
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.catalog import new_id
from tokendeck.storage.secret_keeper import SecretKeeper

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(seconds=60)
REUSE_AT_LEAST = timedelta(days=1)  # a non-refreshable session valid this long is kept
T = TypeVar("T")


def _sign_in_inputs(account: Account, inputs: Mapping[str, str]) -> dict[str, str]:
    """The form's inputs plus this account's own label for what signing in creates on the
    platform (Trifacta's session token), so its leftovers, and only its, can be cleaned."""
    return {**inputs, SESSION_LABEL_INPUT: f"TokenDeck session {account.id[:8]}"}


class SessionsService:
    def __init__(
        self,
        accounts: AccountsService,
        catalog: AsyncCatalog,
        keeper: SecretKeeper,
        clock: Clock,
        pool: AdapterPool,
    ) -> None:
        self._accounts = accounts
        self._catalog = catalog
        self._keeper = keeper
        self._clock = clock
        self._pool = pool
        self._records = SessionRecords(accounts, keeper, clock, pool)

    async def sessions_by_account(
        self, statuses: Collection[AccountStatus]
    ) -> list[tuple[Account, list[Credential]]]:
        """The accounts in one of `statuses` that hold a session, by name, each with its
        session credentials: one query for the sessions, one for their accounts (the
        scheduler's tick), whatever the number of accounts without one."""
        credentials, accounts = await self._catalog.sessions_of_accounts(
            [s.value for s in statuses]
        )
        found: dict[str, list[Credential]] = {}
        for credential in credentials:
            found.setdefault(credential.account_id or "", []).append(credential)
        held = [(accounts[i], sessions) for i, sessions in found.items() if i in accounts]
        return sorted(held, key=lambda pair: (pair[0].name.casefold(), pair[0].id))

    async def sign_in(self, account: Account) -> Account:
        inputs = dict(account.settings.inputs)
        secrets = await self._accounts.secret_inputs(account)
        async with self._pool.lock(account.id):
            reused = await self._still_good_session(account)
            if reused is not None:
                return await self._now_signed_in(account, reused)
            try:
                session = await self._pool.adapter(account).sign_in(
                    _sign_in_inputs(account, inputs), secrets
                )
            except TokenDeckError as error:
                await self._accounts.status_for(account, error)
                raise
            await self._records.save(account, session)
        return await self._now_signed_in(account, session)

    async def _still_good_session(self, account: Account) -> Session | None:
        """A session signing in minted on a platform that cannot refresh it (Trifacta's 30-day
        token), still valid for a good while, is kept: signing in again would only pile up
        tokens on the platform."""
        if capabilities()[account.platform].refresh:
            return None
        current = await self._records.held(account)
        if current is None or current[0].expires_at is None or not minted(current[0]):
            return None
        if current[0].expires_at - self._clock.now() < REUSE_AT_LEAST:
            return None
        probe = await self._pool.adapter(account).probe(current[1])
        return current[1] if probe.ok else None

    async def _now_signed_in(self, account: Account, session: Session) -> Account:
        """After the session is saved: who signed in, and the status."""
        inputs = account.settings.inputs
        who = str(
            session.extra.get("email") or inputs.get("username") or inputs.get("client_id") or ""
        )
        if who and who != account.username:
            account = replace(
                account, username=who, status=AccountStatus.SIGNED_IN, status_detail=""
            )
            await self._catalog.update_account(account, status=AccountStatus.SIGNED_IN)
        else:
            account = await self._accounts.set_status(account, AccountStatus.SIGNED_IN)
        await self._catalog.audit("account.sign_in", account.id, None, who or account.name)
        self._accounts.changed(account.id)
        return account

    async def _try_sign_in(
        self, account: Account, inputs: Mapping[str, str], secrets: Mapping[str, Secret]
    ) -> Session:
        """Sign in with an adapter made for `account` alone (it may not be in the catalog yet,
        or have another host than the one saved); the adapter is closed whatever happens."""
        adapter = self._pool.make(account)
        try:
            return await adapter.sign_in(_sign_in_inputs(account, inputs), secrets)
        finally:
            await adapter.aclose()

    async def add_signed_in(
        self, draft: Account, inputs: Mapping[str, str], secrets: Mapping[str, Secret]
    ) -> Account:
        """Sign in with the draft's values first; only when that works, add the account with
        its secrets and the session. A refused sign-in raises and keeps nothing."""
        if draft.platform not in capabilities():
            raise UnsupportedError(f"{draft.platform.value} accounts are not supported yet.")
        draft = replace(
            draft, id=draft.id or new_id(), settings=replace(draft.settings, inputs=dict(inputs))
        )
        session = await self._try_sign_in(draft, inputs, secrets)

        async def keep() -> Account:
            account = await self._add_holding(draft, inputs, secrets, session)
            return await self._now_signed_in(account, session)

        # Signed in: what follows is local and is not left half done by a Cancel.
        return await must_finish(keep(), f"saving the session of “{draft.name}”")

    async def add_with_session(
        self,
        draft: Account,
        inputs: Mapping[str, str],
        session: Session,
        status: AccountStatus = AccountStatus.SIGNED_IN,
    ) -> Account:
        """Add an account holding a session got elsewhere (imported from the Dataloop SDK's
        cookie), without signing in: it is renewed like any other, with its refresh token."""
        draft = replace(draft, id=draft.id or new_id())

        async def keep() -> Account:
            account = await self._add_holding(draft, inputs, {}, session)
            account = await self._accounts.set_status(account, status)
            self._accounts.changed(account.id)
            return account

        return await must_finish(keep(), f"saving the session of “{draft.name}”")

    async def _add_holding(
        self,
        draft: Account,
        inputs: Mapping[str, str],
        secrets: Mapping[str, Secret],
        session: Session,
    ) -> Account:
        """The account, its secrets and its session, or nothing of them."""
        account = await self._accounts.add(draft, inputs, secrets)
        try:
            async with self._pool.lock(account.id):
                await self._records.save(account, session)
        except Exception:
            await self._keeper.forget_account(account.id)
            self._accounts.changed(account.id)
            raise
        return account

    async def edit_signed_in(
        self, account: Account, inputs: Mapping[str, str], secrets: Mapping[str, Secret]
    ) -> Account:
        """Sign in with the edited values (a secret left empty: the stored one); only when that
        works, save the edit, the secrets entered and the new session. A refused sign-in
        raises and changes nothing."""
        entered = {k: v for k, v in secrets.items() if v}
        edited = replace(account, settings=replace(account.settings, inputs=dict(inputs)))
        session = await self._try_sign_in(
            edited, inputs, {**await self._accounts.secret_inputs(account), **entered}
        )

        async def keep() -> Account:
            # The old session is ended on the old host, before the edit can change the host.
            await self._end_platform_session(account)
            updated = await self._accounts.edit(account, inputs, entered)
            async with self._pool.lock(updated.id):
                await self._records.save(updated, session, end_previous=False)
            return await self._now_signed_in(updated, session)

        return await must_finish(keep(), f"saving the edit of “{account.name}”")

    async def sign_in_with(self, account: Account, secrets: Mapping[str, Secret]) -> Account:
        """Sign in with secrets a person just entered (a field left empty: the stored one).
        They are stored only when the sign-in works; a refusal raises and stores nothing."""
        entered = {k: v for k, v in secrets.items() if v}
        inputs = dict(account.settings.inputs)
        async with self._pool.lock(account.id):
            given = {**await self._accounts.secret_inputs(account), **entered}
            try:
                session = await self._pool.adapter(account).sign_in(
                    _sign_in_inputs(account, inputs), given
                )
            except TokenDeckError as error:
                await self._accounts.status_for(account, error)
                raise

            async def keep() -> None:
                await self._accounts.store_inputs(account, entered)
                await self._records.save(account, session)

            await must_finish(keep(), f"saving the session of “{account.name}”")
        return await self._now_signed_in(account, session)

    async def sign_out(self, account: Account) -> Account:
        left = await self._end_platform_session(account)
        for role in (CredentialRole.SESSION, CredentialRole.REFRESH):
            for credential in await self._accounts.role(account, role):
                await self._keeper.forget(credential)
        account = await self._accounts.set_status(
            account, AccountStatus.NEEDS_LOGIN, f"Signed out.{left}"
        )
        await self._catalog.audit("account.sign_out", account.id, None, account.name)
        self._accounts.changed(account.id)
        return account

    async def _end_platform_session(self, account: Account) -> str:
        """Best effort: undo on the platform what signing in created (Trifacta's minted token),
        through the adapter of the account as stored (its host, not an edit's new one).
        Returns what could not be done, as a sentence to show, or ""."""
        try:
            current = await self._records.held(account)
            if current is not None and minted(current[0]):
                stored = await self._accounts.get(account.id)
                await self._pool.adapter(stored).end_session(current[1])
        except TokenDeckError as error:
            log.warning("ending the session of %s failed: %s", account.name, error.message)
            return (
                f" The platform's session token could not be deleted ({error.message}); it "
                "lapses by itself at its expiry."
            )
        return ""

    async def remove(self, account: Account) -> None:
        """Removes the account, its credentials, and their secrets from the store (after undoing
        on the platform what signing in created, where there is such a thing)."""
        await self._end_platform_session(account)
        await self._pool.drop(account.id)
        await self._keeper.forget_account(account.id)
        self._accounts.changed(account.id)

    async def refresh(self, account: Account) -> Session:
        """A new session now (never two at once for one account)."""
        async with self._pool.lock(account.id):
            return await self._refresh_locked(account)

    async def _refresh_locked(self, account: Account) -> Session:
        held = await self._accounts.credentials(account)
        current = await self._records.read(account, held)
        if current is None:
            raise AuthError("Not signed in: sign in first.")
        caps = capabilities()[account.platform]
        try:
            if caps.refresh:
                session = await self._pool.adapter(account).refresh(
                    current[1], await self._accounts.secret_inputs(account, held)
                )
            else:
                raise UnsupportedError("This platform's tokens cannot be refreshed.")
        except TokenDeckError as error:
            await self._accounts.status_for(account, error)
            raise
        stored = await self._records.save(account, session)
        # Most refreshes find the account signed in already: no status to write then.
        if stored is None or (stored.status, stored.status_detail) != (AccountStatus.SIGNED_IN, ""):
            await self._accounts.set_status(account, AccountStatus.SIGNED_IN)
        self._accounts.changed(account.id)
        return session

    def needs_refresh(
        self, expires_at: datetime | None, margin: timedelta = REFRESH_MARGIN
    ) -> bool:
        return expires_at is not None and expires_at - self._clock.now() <= margin

    async def current_token(self, account: Account, margin: timedelta = REFRESH_MARGIN) -> Secret:
        """A token valid for at least `margin`, refreshing (or signing in again) when needed."""
        async with self._pool.lock(account.id):
            current = await self._records.read(account)
            if current is None:
                raise AuthError(f"“{account.name}” is not signed in: sign in first.")
            credential, session = current
            if not self.needs_refresh(credential.expires_at, margin):
                return session.access
            if capabilities()[account.platform].refresh:
                return (await self._refresh_locked(account)).access
            raise AuthError(
                f"The token of “{account.name}” has expired and cannot be refreshed: sign in again."
            )

    async def with_session(
        self, account: Account, operation: Callable[[Session], Awaitable[T]]
    ) -> T:
        """Run `operation` with a fresh session; on a 401 from a refreshable session, refresh
        once and retry once (the token may have been revoked or rotated since)."""
        session = await self.session(account)
        try:
            return await operation(session)
        except AuthError:
            if not capabilities()[account.platform].refresh:
                raise
            log.info("401 for account %s: refreshing once and retrying", account.name)
            async with self._pool.lock(account.id):
                renewed = await self._refresh_locked(account)
            return await operation(renewed)

    async def session(self, account: Account) -> Session:
        token = await self.current_token(account)
        current = await self._records.read(account)
        assert current is not None
        return replace(current[1], access=token)

    async def test(self, account: Account) -> ProbeResult:
        try:
            session = await self.session(account)
        except AuthError as error:
            return ProbeResult(False, None, error.message)
        except TokenDeckError as error:
            return ProbeResult(False, None, error.details())
        try:
            return await self._pool.adapter(account).probe(session)
        except TokenDeckError as error:  # e.g. the outbound rule refused the probe's request
            return ProbeResult(False, None, error.details())
