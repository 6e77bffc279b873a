"""Import from plaintext: find credentials lying in files (plaintext_finds), keep the chosen
ones in the secret store as accounts or tracked tokens, read each back to verify it, and then,
when a person asks, take the plaintext copies out of their files (plaintext_removal), only the
verified ones.

What the catalog's audit log keeps: `plaintext.import` per verified import and
`plaintext.remove` per file changed, with what and which file, never a value.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from tokendeck.core.clock import Clock
from tokendeck.core.errors import AlreadyTrackedError, TokenDeckError
from tokendeck.core.models import Account, AccountSettings, AccountStatus, Credential, Platform
from tokendeck.core.platform_types import Session
from tokendeck.core.secret import Secret
from tokendeck.platforms.registry import CAPABILITIES
from tokendeck.services.accounts import AccountsService
from tokendeck.services.plaintext_finds import scan, token_variables, usual_places
from tokendeck.services.plaintext_model import (
    Find,
    FindKind,
    Imported,
    Outcome,
    RemovalResult,
    Scanned,
)
from tokendeck.services.plaintext_removal import remove_copies, same
from tokendeck.services.sessions import SessionsService
from tokendeck.services.tokens import TokensService
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.secret_keeper import SecretKeeper


def _where(credential: Credential) -> str:
    """Which of a find's secrets a stored credential holds (the keys of `Find.secrets`)."""
    role = credential.role.value if credential.role is not None else ""
    if role in ("session", "refresh"):
        return role
    if role == "input":
        return str(credential.meta.get("field", ""))
    return "token"


class PlaintextImport:
    def __init__(
        self,
        catalog: AsyncCatalog,
        keeper: SecretKeeper,
        accounts: AccountsService,
        sessions: SessionsService,
        tokens: TokensService,
        clock: Clock,
    ) -> None:
        self._catalog = catalog
        self._keeper = keeper
        self._accounts = accounts
        self._sessions = sessions
        self._tokens = tokens
        self._clock = clock

    async def usual_places(self) -> list[Path]:
        return await asyncio.to_thread(usual_places, Path.home(), Path.cwd(), dict(os.environ))

    async def scan(self, paths: Sequence[Path]) -> Scanned:
        """What the files hold that TokenDeck knows, read off the loop's thread."""
        extra: dict[str, Platform] = {
            a.settings.exec_env: a.platform
            for a in await self._accounts.all_accounts()
            if a.settings.exec_env
        }
        return await asyncio.to_thread(scan, list(paths), token_variables(extra), self._clock.now())

    async def import_finds(self, finds: Sequence[Find]) -> list[Imported]:
        out: list[Imported] = []
        for find in finds:
            try:
                out.append(await self._import(find))
            except TokenDeckError as error:
                out.append(Imported(find, Outcome.NOT_IMPORTED, error.message))
        return out

    async def remove_plaintext(self, imported: Sequence[Imported]) -> list[RemovalResult]:
        """Take the verified imports' plaintext copies out of their files."""
        verified = [i.find for i in imported if i.verified]
        results = await asyncio.to_thread(remove_copies, verified)
        for result in results:
            if result.removed:
                await self._catalog.audit("plaintext.remove", None, None, str(result.path))
        return results

    async def _import(self, find: Find) -> Imported:
        if find.kind is FindKind.TRACKED:
            return await self._track(find)
        held = await self._account_holding(find)
        if held is not None:
            return Imported(
                find, Outcome.ALREADY_HELD, f"Already held by the account “{held.name}”.", True
            )
        if find.kind is FindKind.SDK_SESSION:
            clash = await self._same_login(find)
            if clash is not None:
                return Imported(
                    find,
                    Outcome.NOT_IMPORTED,
                    f"The account “{clash.name}” already signs in as "
                    f"{find.inputs.get('username')}: TokenDeck renews its own session.",
                )
            account = await self._add_session_account(find)
            done = await self._verified(find, account.id, f"Added the account “{account.name}”.")
            await self._renew_if_expired(find, account)
            return done
        account = await self._add_key_account(find)
        return await self._verified(find, account.id, f"Added the account “{account.name}”.")

    async def _track(self, find: Find) -> Imported:
        try:
            credential = await self._tokens.track(find.name, find.secrets["token"])
        except AlreadyTrackedError as error:  # the same value, compared when tracking
            return Imported(
                find, Outcome.ALREADY_HELD, f"Already tracked as “{error.existing.label}”.", True
            )
        return await self._verified(
            find, None, f"Tracking the token as “{credential.label}”.", credential
        )

    async def _verified(
        self,
        find: Find,
        account_id: str | None,
        said: str,
        tracked: Credential | None = None,
    ) -> Imported:
        """Read the find's secrets back from the store: Imported, verified or not."""
        held = (
            [tracked] if tracked is not None else await self._catalog.list_credentials(account_id)
        )
        read: dict[str, Secret] = {}
        for credential in held:
            value = await self._keeper.read(credential)
            if value is not None:
                read[_where(credential)] = value
        if not all(same(read.get(k), v) for k, v in find.secrets.items()):
            return Imported(
                find,
                Outcome.IMPORTED,
                f"{said} Reading it back from the secret store did not give the same value: "
                "keep the plaintext copy.",
            )
        credential_id = tracked.id if tracked is not None else None
        await self._catalog.audit(
            "plaintext.import", account_id, credential_id, f"{find.what}, from {find.source}"
        )
        return Imported(find, Outcome.IMPORTED, said, True)

    async def _unique_name(self, wanted: str) -> str:
        taken = {a.name.casefold() for a in await self._accounts.all_accounts()}
        name, n = wanted, 2
        while name.casefold() in taken:
            name, n = f"{wanted} {n}", n + 1
        return name

    async def _account_holding(self, find: Find) -> Account | None:
        """An account of the find's platform that already holds its secrets."""
        for account in await self._accounts.all_accounts():
            if account.platform is not find.platform:
                continue
            held = await self._accounts.credentials(account)
            stored: dict[str, Secret] = {}
            for credential in held:
                if _where(credential) in find.secrets:
                    value = await self._keeper.read(credential)
                    if value is not None:
                        stored[_where(credential)] = value
            if find.secrets and all(same(stored.get(k), v) for k, v in find.secrets.items()):
                return account
        return None

    async def _same_login(self, find: Find) -> Account | None:
        username = find.inputs.get("username", "")
        for account in await self._accounts.all_accounts():
            if (
                account.platform is find.platform
                and username
                and account.username.casefold() == username.casefold()
                and account.host.rstrip("/") == find.host.rstrip("/")
            ):
                return account
        return None

    async def _draft(self, find: Find) -> Account:
        """The account a find becomes, named apart from every other."""
        assert find.platform is not None
        return Account(
            id="",
            name=await self._unique_name(find.name),
            platform=find.platform,
            host=find.host or CAPABILITIES[find.platform].default_host,
            username=find.inputs.get("username", ""),
            settings=AccountSettings(),
        )

    def _expired(self, find: Find) -> bool:
        return find.expires_at is not None and find.expires_at <= self._clock.now()

    async def _add_session_account(self, find: Find) -> Account:
        session = Session(
            access=find.secrets["session"],
            expires_at=find.expires_at,
            refresh=find.secrets.get("refresh"),
            extra={"email": find.inputs.get("username", "")},
        )
        status = AccountStatus.NEEDS_LOGIN if self._expired(find) else AccountStatus.SIGNED_IN
        draft = await self._draft(find)
        return await self._sessions.add_with_session(draft, find.inputs, session, status)

    async def _renew_if_expired(self, find: Find, account: Account) -> None:
        """An expired imported session with a refresh token is renewed at once (after it was
        read back), so the account says what is true: signed in, or why not (the refresh
        sets the status either way)."""
        if self._expired(find) and "refresh" in find.secrets:
            with contextlib.suppress(TokenDeckError):
                await self._sessions.refresh(account)

    async def _add_key_account(self, find: Find) -> Account:
        return await self._accounts.add(await self._draft(find), find.inputs, find.secrets)
