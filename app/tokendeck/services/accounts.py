"""Accounts on platforms: add / edit / remove, sign in / out, test, current token, API keys.

What is kept where:
- the account row holds the non-secret inputs (`settings.inputs`: e-mail, client id, ...);
- each secret input (password, API secret, client secret, pasted token) is a credential with
  `meta.role = "input"`, its value in the secret store;
- the session is a credential (`role = "session"`, kind session_token) with its expiry, and its
  refresh token another (`role = "refresh"`);
- a key created through TokenDeck is a credential (`role = "key"`, `remote_id` = platform id),
  stored write-before-show.

One adapter (one HTTP client) per account, closed on removal and on quit. Refreshes of one
account never overlap (a lock per account).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar

from tokendeck.core.clock import Clock
from tokendeck.core.errors import (
    AuthError,
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
    CredentialState,
    Platform,
)
from tokendeck.core.secret import Secret
from tokendeck.core.timefmt import lifetime_text
from tokendeck.platforms.base import (
    SESSION_LABEL_INPUT,
    Capabilities,
    NewKey,
    PlatformAdapter,
    ProbeResult,
    RemoteKey,
    Session,
)
from tokendeck.services import key_writes
from tokendeck.services.events import AccountsChanged, CredentialsChanged, EventBus
from tokendeck.services.held_reads import HeldReads
from tokendeck.storage.catalog import AsyncCatalog, new_id
from tokendeck.storage.secret_keeper import SecretKeeper, ToKeep
from tokendeck.storage.secret_store import SecretStoreError

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(seconds=60)
REUSE_AT_LEAST = timedelta(days=1)  # a non-refreshable session valid this long is kept
T = TypeVar("T")

SECRET_KINDS: Mapping[str, CredentialKind] = {
    "password": CredentialKind.PASSWORD,
    "api_key": CredentialKind.API_KEY,
    "api_secret": CredentialKind.API_SECRET,
    "client_secret": CredentialKind.CLIENT_SECRET,
    "access_token": CredentialKind.SESSION_TOKEN,
    "token": CredentialKind.PASTED_TOKEN,
}

AdapterFactory = Callable[[Account], PlatformAdapter]


def _capabilities() -> Mapping[Platform, Capabilities]:
    """What each platform can do. The registry loads every adapter (httpx, PyJWT, cryptography):
    imported on first use, so the window's rows never wait for it."""
    from tokendeck.platforms.registry import CAPABILITIES

    return CAPABILITIES


def _make_adapter(account: Account, clock: Clock) -> PlatformAdapter:
    from tokendeck.platforms.registry import make_adapter

    return make_adapter(account.platform, account.host, account.settings, clock)


def _of_role(credentials: list[Credential], role: CredentialRole) -> list[Credential]:
    return [c for c in credentials if c.role is role]


def _minted(session: Credential) -> bool:
    """Whether signing in minted this session on the platform (so it is ended when dropped)."""
    extra = session.meta.get("extra")
    return isinstance(extra, Mapping) and bool(extra.get("minted"))


def _sign_in_inputs(account: Account, inputs: Mapping[str, str]) -> dict[str, str]:
    """The form's inputs plus this account's own label for what signing in creates on the
    platform (Trifacta's session token), so its leftovers, and only its, can be cleaned."""
    return {**inputs, SESSION_LABEL_INPUT: f"TokenDeck session {account.id[:8]}"}


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


class AccountsService:
    def __init__(
        self,
        catalog: AsyncCatalog,
        keeper: SecretKeeper,
        bus: EventBus,
        clock: Clock,
        adapter_factory: AdapterFactory | None = None,
        id_key: bytes | None = None,
    ) -> None:
        self._catalog = catalog
        self._keeper = keeper
        self._bus = bus
        self._clock = clock
        self._factory = adapter_factory or (lambda account: _make_adapter(account, clock))
        self._id_key = id_key
        self._adapters: dict[str, PlatformAdapter] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._held = HeldReads(catalog)

    # -- plumbing ---------------------------------------------------------------------------

    def adapter(self, account: Account) -> PlatformAdapter:
        adapter = self._adapters.get(account.id)
        if adapter is None:
            adapter = self._make(account)
            self._adapters[account.id] = adapter
        return adapter

    async def _drop_adapter(self, account_id: str) -> None:
        adapter = self._adapters.pop(account_id, None)
        if adapter is not None:
            await adapter.aclose()

    def _make(self, account: Account) -> PlatformAdapter:
        """An adapter from the factory, given the profile's key-id key if it derives ids from
        key values (Encord)."""
        adapter = self._factory(account)
        use_id_key = getattr(adapter, "use_id_key", None)
        if callable(use_id_key):
            use_id_key(self._id_key)
        return adapter

    def use_id_key(self, id_key: bytes | None) -> None:
        """The profile's key-id key, loaded with the secret store (after this service starts)."""
        self._id_key = id_key
        for adapter in self._adapters.values():
            use = getattr(adapter, "use_id_key", None)
            if callable(use):
                use(id_key)

    def _lock(self, account_id: str) -> asyncio.Lock:
        return self._locks.setdefault(account_id, asyncio.Lock())

    async def all_accounts(self) -> list[Account]:
        accounts: list[Account] = await self._catalog.list_accounts()
        return accounts

    async def get(self, account_id: str) -> Account:
        account: Account | None = await self._catalog.find_account(account_id)
        if account is None:
            raise TokenDeckError(f"No account named or with id {account_id!r}.")
        return account

    async def credentials(self, account: Account) -> list[Credential]:
        return (await self._held.of(account.id))[1]

    async def sessions_by_account(self) -> dict[str, list[Credential]]:
        """Every account's session credentials, in one query (the scheduler's tick)."""
        found: dict[str, list[Credential]] = {}
        for credential in await self._catalog.sessions():
            found.setdefault(credential.account_id or "", []).append(credential)
        return found

    async def _role(self, account: Account, role: CredentialRole) -> list[Credential]:
        return _of_role(await self.credentials(account), role)

    async def _secret_inputs(
        self, account: Account, held: list[Credential] | None = None
    ) -> dict[str, Secret]:
        """The stored secret inputs, by field; from `held` (the account's credentials, read
        once by the caller) when given."""
        out: dict[str, Secret] = {}
        inputs = (
            await self._role(account, CredentialRole.INPUT)
            if held is None
            else _of_role(held, CredentialRole.INPUT)
        )
        for credential in inputs:
            value = await self._keeper.read(credential)
            if value is not None:
                out[str(credential.meta.get("field"))] = value
        return out

    def _changed(self, account_id: str | None = None) -> None:
        self._bus.publish(AccountsChanged(account_id))
        self._bus.publish(CredentialsChanged())

    # -- accounts ---------------------------------------------------------------------------

    async def add(
        self, draft: Account, inputs: Mapping[str, str], secrets: Mapping[str, Secret]
    ) -> Account:
        if draft.platform not in _capabilities():
            raise UnsupportedError(f"{draft.platform.value} accounts are not supported yet.")
        methods = _capabilities()[draft.platform].sign_in_methods
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
            await self._store_inputs(account, secrets)
        except Exception:
            await self._keeper.forget_account(account.id)
            raise
        self._changed(account.id)
        return account

    async def _store_inputs(self, account: Account, secrets: Mapping[str, Secret]) -> None:
        existing = {
            str(c.meta.get("field")): c for c in await self._role(account, CredentialRole.INPUT)
        }
        labels = {f.name: f.label for f in _capabilities()[account.platform].fields}
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
        await self._store_inputs(updated, secrets)
        await self._drop_adapter(account.id)
        self._changed(account.id)
        return updated

    async def set_pinned(self, account: Account, pinned: bool) -> Account:
        updated = replace(account, settings=replace(account.settings, pinned=pinned))
        updated = await self._catalog.update_account(updated)
        self._changed(account.id)
        return updated

    async def remove(self, account: Account) -> None:
        """Removes the account, its credentials, and their secrets from the store (after undoing
        on the platform what signing in created, where there is such a thing)."""
        await self._end_platform_session(account)
        await self._drop_adapter(account.id)
        await self._keeper.forget_account(account.id)
        self._changed(account.id)

    async def _set_status(
        self, account: Account, status: AccountStatus, detail: str = ""
    ) -> Account:
        await self._catalog.set_account_status(account.id, status, detail)
        return replace(account, status=status, status_detail=detail)

    async def _status_for(self, account: Account, error: TokenDeckError) -> None:
        if isinstance(error, NetworkError):
            await self._set_status(account, AccountStatus.OFFLINE, error.message)
        elif isinstance(error, AuthError):
            await self._set_status(account, AccountStatus.NEEDS_LOGIN, error.message)
        else:
            await self._set_status(account, AccountStatus.ERROR, error.message)
        self._changed(account.id)

    # -- sessions ---------------------------------------------------------------------------

    async def sign_in(self, account: Account) -> Account:
        inputs = dict(account.settings.inputs)
        secrets = await self._secret_inputs(account)
        async with self._lock(account.id):
            reused = await self._still_good_session(account)
            if reused is not None:
                return await self._now_signed_in(account, reused)
            try:
                session = await self.adapter(account).sign_in(
                    _sign_in_inputs(account, inputs), secrets
                )
            except TokenDeckError as error:
                await self._status_for(account, error)
                raise
            await self._save_session(account, session)
        return await self._now_signed_in(account, session)

    async def _still_good_session(self, account: Account) -> Session | None:
        """A session signing in minted on a platform that cannot refresh it (Trifacta's 30-day
        token), still valid for a good while, is kept: signing in again would only pile up
        tokens on the platform."""
        if _capabilities()[account.platform].refresh:
            return None
        current = await self._held_session(account)
        if current is None or current[0].expires_at is None or not _minted(current[0]):
            return None
        if current[0].expires_at - self._clock.now() < REUSE_AT_LEAST:
            return None
        probe = await self.adapter(account).probe(current[1])
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
            account = await self._set_status(account, AccountStatus.SIGNED_IN)
        self._changed(account.id)
        return account

    # -- signing in before anything is kept -------------------------------------------------

    async def stored_secret_fields(self, account: Account) -> frozenset[str]:
        """The secret inputs held for `account`, by form field (e.g. {"password"})."""
        return frozenset(
            str(c.meta.get("field"))
            for c in await self._role(account, CredentialRole.INPUT)
            if c.secret_held
        )

    async def _try_sign_in(
        self, account: Account, inputs: Mapping[str, str], secrets: Mapping[str, Secret]
    ) -> Session:
        """Sign in with an adapter made for `account` alone (it may not be in the catalog yet,
        or have another host than the one saved); the adapter is closed whatever happens."""
        adapter = self._make(account)
        try:
            return await adapter.sign_in(_sign_in_inputs(account, inputs), secrets)
        finally:
            await adapter.aclose()

    async def add_signed_in(
        self, draft: Account, inputs: Mapping[str, str], secrets: Mapping[str, Secret]
    ) -> Account:
        """Sign in with the draft's values first; only when that works, add the account with
        its secrets and the session. A refused sign-in raises and keeps nothing."""
        if draft.platform not in _capabilities():
            raise UnsupportedError(f"{draft.platform.value} accounts are not supported yet.")
        draft = replace(
            draft, id=draft.id or new_id(), settings=replace(draft.settings, inputs=dict(inputs))
        )
        session = await self._try_sign_in(draft, inputs, secrets)

        async def keep() -> Account:
            account = await self.add(draft, inputs, secrets)
            try:
                async with self._lock(account.id):
                    await self._save_session(account, session)
            except Exception:
                await self._keeper.forget_account(account.id)
                self._changed(account.id)
                raise
            return await self._now_signed_in(account, session)

        # Signed in: what follows is local and is not left half done by a Cancel.
        return await asyncio.shield(keep())

    async def edit_signed_in(
        self, account: Account, inputs: Mapping[str, str], secrets: Mapping[str, Secret]
    ) -> Account:
        """Sign in with the edited values (a secret left empty: the stored one); only when that
        works, save the edit, the secrets entered and the new session. A refused sign-in
        raises and changes nothing."""
        entered = {k: v for k, v in secrets.items() if v}
        edited = replace(account, settings=replace(account.settings, inputs=dict(inputs)))
        session = await self._try_sign_in(
            edited, inputs, {**await self._secret_inputs(account), **entered}
        )

        async def keep() -> Account:
            # The old session is ended on the old host, before the edit can change the host.
            await self._end_platform_session(account)
            updated = await self.edit(account, inputs, entered)
            async with self._lock(updated.id):
                await self._save_session(updated, session, end_previous=False)
            return await self._now_signed_in(updated, session)

        return await asyncio.shield(keep())

    async def sign_in_with(self, account: Account, secrets: Mapping[str, Secret]) -> Account:
        """Sign in with secrets a person just entered (a field left empty: the stored one).
        They are stored only when the sign-in works; a refusal raises and stores nothing."""
        entered = {k: v for k, v in secrets.items() if v}
        inputs = dict(account.settings.inputs)
        async with self._lock(account.id):
            given = {**await self._secret_inputs(account), **entered}
            try:
                session = await self.adapter(account).sign_in(
                    _sign_in_inputs(account, inputs), given
                )
            except TokenDeckError as error:
                await self._status_for(account, error)
                raise

            async def keep() -> None:
                await self._store_inputs(account, entered)
                await self._save_session(account, session)

            await asyncio.shield(keep())
        return await self._now_signed_in(account, session)

    async def _save_session(
        self, account: Account, session: Session, *, end_previous: bool = True
    ) -> Account | None:
        """The session and its refresh token, written together: the secrets one by one, the
        catalog rows (and journal intents) of both in one transaction (see SecretKeeper).
        Returns the account as the catalog held it just before (None if it is gone)."""
        stored, held = await self._held.of(account.id)
        names = {account.id: stored.name} if stored is not None else {}
        sessions = _of_role(held, CredentialRole.SESSION)
        refresh = _of_role(held, CredentialRole.REFRESH)
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
            await self._held_session(account)
            if end_previous and sessions and _minted(sessions[0])
            else None
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
                await self.adapter(account).end_session(previous[1])
            except TokenDeckError as error:
                log.warning("ending the previous session failed: %s", error.message)
        return stored

    async def _session(
        self, account: Account, held: list[Credential] | None = None
    ) -> tuple[Credential, Session] | None:
        """The held session and its refresh token; from `held` (the account's credentials,
        read once by the caller) when given."""
        held = await self.credentials(account) if held is None else held
        sessions = _of_role(held, CredentialRole.SESSION)
        if not sessions:
            return None
        access = await self._keeper.read(sessions[0])
        if access is None:
            return None
        refresh_creds = _of_role(held, CredentialRole.REFRESH)
        refresh = await self._keeper.read(refresh_creds[0]) if refresh_creds else None
        extra = sessions[0].meta.get("extra", {})
        return sessions[0], Session(
            access, sessions[0].expires_at, refresh, extra if isinstance(extra, dict) else {}
        )

    async def sign_out(self, account: Account) -> Account:
        left = await self._end_platform_session(account)
        for role in (CredentialRole.SESSION, CredentialRole.REFRESH):
            for credential in await self._role(account, role):
                await self._keeper.forget(credential)
        account = await self._set_status(account, AccountStatus.NEEDS_LOGIN, f"Signed out.{left}")
        self._changed(account.id)
        return account

    async def _held_session(self, account: Account) -> tuple[Credential, Session] | None:
        """The held session, or None when there is none or its secret cannot be read (a
        damaged entry must never block signing in, out or removing: the ways to repair it)."""
        try:
            return await self._session(account)
        except SecretStoreError as error:
            log.warning("the session of %s cannot be read: %s", account.name, error)
            return None

    async def _end_platform_session(self, account: Account) -> str:
        """Best effort: undo on the platform what signing in created (Trifacta's minted token),
        through the adapter of the account as stored (its host, not an edit's new one).
        Returns what could not be done, as a sentence to show, or ""."""
        try:
            current = await self._held_session(account)
            if current is not None and _minted(current[0]):
                stored = await self.get(account.id)
                await self.adapter(stored).end_session(current[1])
        except TokenDeckError as error:
            log.warning("ending the session of %s failed: %s", account.name, error.message)
            return (
                f" The platform's session token could not be deleted ({error.message}); it "
                "lapses by itself at its expiry."
            )
        return ""

    async def refresh(self, account: Account) -> Session:
        """A new session now (never two at once for one account)."""
        async with self._lock(account.id):
            return await self._refresh_locked(account)

    async def _refresh_locked(self, account: Account) -> Session:
        held = await self.credentials(account)
        current = await self._session(account, held)
        if current is None:
            raise AuthError("Not signed in: sign in first.")
        caps = _capabilities()[account.platform]
        try:
            if caps.refresh:
                session = await self.adapter(account).refresh(
                    current[1], await self._secret_inputs(account, held)
                )
            else:
                raise UnsupportedError("This platform's tokens cannot be refreshed.")
        except TokenDeckError as error:
            await self._status_for(account, error)
            raise
        stored = await self._save_session(account, session)
        # Most refreshes find the account signed in already: no status to write then.
        if stored is None or (stored.status, stored.status_detail) != (AccountStatus.SIGNED_IN, ""):
            await self._set_status(account, AccountStatus.SIGNED_IN)
        self._changed(account.id)
        return session

    def needs_refresh(
        self, expires_at: datetime | None, margin: timedelta = REFRESH_MARGIN
    ) -> bool:
        return expires_at is not None and expires_at - self._clock.now() <= margin

    async def current_token(self, account: Account, margin: timedelta = REFRESH_MARGIN) -> Secret:
        """A token valid for at least `margin`, refreshing (or signing in again) when needed."""
        async with self._lock(account.id):
            current = await self._session(account)
            if current is None:
                raise AuthError(f"“{account.name}” is not signed in: sign in first.")
            credential, session = current
            if not self.needs_refresh(credential.expires_at, margin):
                return session.access
            if _capabilities()[account.platform].refresh:
                return (await self._refresh_locked(account)).access
            raise AuthError(
                f"The token of “{account.name}” has expired and cannot be refreshed: sign in again."
            )

    async def _with_session(
        self, account: Account, operation: Callable[[Session], Awaitable[T]]
    ) -> T:
        """Run `operation` with a fresh session; on a 401 from a refreshable session, refresh
        once and retry once (the token may have been revoked or rotated since)."""
        session = await self.session(account)
        try:
            return await operation(session)
        except AuthError:
            if not _capabilities()[account.platform].refresh:
                raise
            log.info("401 for account %s: refreshing once and retrying", account.name)
            async with self._lock(account.id):
                renewed = await self._refresh_locked(account)
            return await operation(renewed)

    async def session(self, account: Account) -> Session:
        token = await self.current_token(account)
        current = await self._session(account)
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
            return await self.adapter(account).probe(session)
        except TokenDeckError as error:  # e.g. the outbound rule refused the probe's request
            return ProbeResult(False, None, error.details())

    # -- keys -------------------------------------------------------------------------------

    async def list_keys(self, account: Account) -> list[KeyView]:
        adapter = self.adapter(account)
        remote = await self._with_session(account, adapter.list_keys)
        held = {
            c.remote_id: c for c in await self._role(account, CredentialRole.KEY) if c.remote_id
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
        adapter = self.adapter(account)
        caps = _capabilities()[account.platform]

        async def listed() -> list[RemoteKey]:
            return await self._with_session(account, adapter.list_keys)

        async def revoke(key_id: str) -> None:
            await self._with_session(account, lambda s: adapter.revoke_key(s, key_id))

        before = await key_writes.key_ids(listed) if caps.list_keys else None
        started = self._clock.now()
        try:
            new: NewKey = await self._with_session(
                account, lambda session: adapter.create_key(session, name, lifetime, scopes)
            )
        except key_writes.AMBIGUOUS as error:
            raise await key_writes.after_lost_create(
                error, name, before, listed, revoke if caps.revoke_keys else None, started
            ) from None
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
        self._changed(account.id)
        return stored, new.secret

    async def revoke_key(self, account: Account, key_id: str) -> None:
        adapter = self.adapter(account)
        await self._with_session(account, lambda session: adapter.revoke_key(session, key_id))
        if _capabilities()[account.platform].list_keys:
            await key_writes.confirm_revoked(
                key_id, lambda: self._with_session(account, adapter.list_keys)
            )
        for credential in await self._role(account, CredentialRole.KEY):
            if credential.remote_id == key_id:
                if credential.secret_ref is not None:
                    await self._keeper.store.delete(credential.secret_ref)
                await self._catalog.upsert_credential(
                    replace(credential, state=CredentialState.REVOKED, secret_ref=None),
                    action="key.revoke",
                )
        self._changed(account.id)

    def rotation(self, account: Account, old: RemoteKey) -> Rotation:
        """What rotating `old` creates: the same name (marked), scopes and lifetime, or, when the
        platform does not report the old lifetime, its first choice, said as such."""
        caps = _capabilities()[account.platform]
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
        return await self.create_key(account, plan.name, plan.lifetime, plan.scopes)

    async def reveal_key(self, credential: Credential) -> Secret | None:
        return await self._keeper.read(credential)

    async def aclose(self) -> None:
        for account_id in list(self._adapters):
            await self._drop_adapter(account_id)
