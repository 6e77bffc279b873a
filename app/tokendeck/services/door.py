"""The one door between the window and the engine.

The window (every tab, dialog and the tray) holds a `Door` and nothing else of the services: typed
verbs (sign in, create a key, track a token…), read models (accounts, held credentials, the store's
`StoreStatus`) and `subscribe` for events. The engine behind it (`AppServices`: catalog, secret
keeper, adapters, scheduler, watcher) is private; the layer test and ruff's private-member rule
fail CI when the window reaches past the door.

The door exists before the engine: the window is built and painted with it, and every verb waits
until `connect()` hands the engine over (or raises what `fail()` was given). So no widget is
"attached" later, and nothing the window shows first waits for the engine to import.

This module is imported before the first rows are on screen: it imports no engine module at run
time, nor asyncio (50 ms of imports, ssl among them), which only a verb called on the running
loop needs, nor the events' dataclasses and `Secret` (hmac, OpenSSL), which its verbs use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from tokendeck.core.clock import Clock, SystemClock
from tokendeck.core.errors import LocalStorageError, TokenDeckError
from tokendeck.core.store_status import STARTING_STATUS, StoreKind, StoreStatus
from tokendeck.services.event_bus import EventBus
from tokendeck.services.expiry_calendar import DEFAULT_DAYS

CALENDAR_DAYS = DEFAULT_DAYS  # the window's calendar export: the next 90 days

if TYPE_CHECKING:
    import asyncio

    from tokendeck.core.models import Account, Credential

    # The read models the window types its code with come through the door (as types only).
    from tokendeck.core.platform_types import ProbeResult as ProbeResult
    from tokendeck.core.platform_types import RemoteKey as RemoteKey
    from tokendeck.core.secret import Secret
    from tokendeck.core.settings import AppSettings
    from tokendeck.services.activity import ActivityRow as ActivityRow
    from tokendeck.services.app_services import AppServices
    from tokendeck.services.catalog_snapshot import CatalogSnapshot as CatalogSnapshot
    from tokendeck.services.keys import KeyView as KeyView
    from tokendeck.services.keys import Rotation as Rotation
    from tokendeck.services.plaintext_model import Find as Find
    from tokendeck.services.plaintext_model import Imported as Imported
    from tokendeck.services.plaintext_model import RemovalResult as RemovalResult
    from tokendeck.services.plaintext_model import Scanned as Scanned
    from tokendeck.services.standing import HeldCredential as HeldCredential
    from tokendeck.services.store_choice import VaultPrompt as VaultPrompt
    from tokendeck.storage.secret_keeper import ReconcileReport as ReconcileReport

E = TypeVar("E")


class EngineUnavailableError(TokenDeckError):
    """The engine did not start (e.g. the catalog could not be opened)."""


class Door:
    def __init__(self, bus: EventBus | None = None, clock: Clock | None = None) -> None:
        self._bus = bus or EventBus()
        self._clock = clock or SystemClock()
        self._engine: AppServices | None = None
        self._failure: EngineUnavailableError | None = None
        self._waiting: list[asyncio.Future[AppServices]] = []
        self._settings: AppSettings | None = None

    @classmethod
    def of(cls, engine: AppServices) -> Door:
        """A door already connected to `engine` (tests, and tools that build the engine first)."""
        door = cls(engine.bus, engine.clock)
        door.connect(engine)
        return door

    # -- the engine behind the door ---------------------------------------------------------

    def connect(self, engine: AppServices) -> None:
        """The engine is open: every verb waiting for it goes on. Its events reach the door's
        subscribers (the same bus when bootstrap built the engine on it)."""
        self._engine = engine
        self._clock = engine.clock
        engine.bus.relay_to(self._bus)
        status = engine.store_status()
        if status.kind is not StoreKind.STARTING:  # opened before the door connected (tests)
            from tokendeck.services.events import StoreChanged

            self._bus.publish(StoreChanged(status))
        if self._settings is not None:
            engine.apply(self._settings.thresholds, self._settings.auto_refresh)
        for waiter in self._waiting:
            if not waiter.done():
                waiter.set_result(engine)
        self._waiting.clear()

    def fail(self, message: str) -> None:
        """The engine will not start: every verb, waiting or to come, raises `message`, and
        the store is said to be unavailable (no secret can be kept)."""
        self._failure = EngineUnavailableError(message)
        from tokendeck.services.events import StoreChanged

        self._bus.publish(StoreChanged(self.store_status()))
        for waiter in self._waiting:
            if not waiter.done():
                waiter.set_exception(self._failure)
        self._waiting.clear()

    @property
    def connected(self) -> bool:
        return self._engine is not None

    async def _ready(self) -> AppServices:
        if self._engine is not None:
            return self._engine
        if self._failure is not None:
            raise self._failure
        import asyncio  # loaded by then: a verb runs on the running loop

        waiter: asyncio.Future[AppServices] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        return await waiter

    def _now_connected(self) -> AppServices:
        """The engine, for the few verbs the window calls only once rows have loaded."""
        if self._engine is None:
            raise EngineUnavailableError("TokenDeck is still starting: try again in a moment.")
        return self._engine

    # -- events and settings ----------------------------------------------------------------

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        self._bus.subscribe(event_type, handler)

    def now(self) -> datetime:
        return self._clock.now()

    def apply(self, settings: AppSettings) -> None:
        """The user's settings that the engine follows (warning thresholds, automatic refresh);
        kept until the engine connects when it has not yet."""
        self._settings = settings
        if self._engine is not None:
            self._engine.apply(settings.thresholds, settings.auto_refresh)

    def thresholds_for(self, account: Account | None) -> tuple[timedelta, ...]:
        return self._now_connected().policy.thresholds_for(account)

    # -- the secret store -------------------------------------------------------------------

    def store_status(self) -> StoreStatus:
        if self._engine is None:
            if self._failure is not None:
                return StoreStatus(StoreKind.NONE, "unavailable: the catalog did not open")
            return STARTING_STATUS
        return self._engine.store_status()

    async def store_ready(self) -> StoreStatus:
        """The status once the store has opened (or failed to)."""
        engine = await self._ready()
        await engine.store_ready()
        return engine.store_status()

    def held_report(self) -> ReconcileReport | None:
        """The last bulk check of the held secrets (None: not finished yet)."""
        return None if self._engine is None else self._engine.held_report

    async def move_secrets(self, vault_path: Path, prompt: VaultPrompt) -> int | None:
        """Move every held secret to the other kind of store (keyring <-> vault); None when the
        person cancelled. The store in use keeps every secret if this raises."""
        from tokendeck.services.store_move import move_secrets, open_target

        engine = await self._ready()
        target = "keyring" if self.store_status().kind is StoreKind.VAULT else "vault"
        store = await open_target(engine, target, vault_path, prompt)
        if store is None:
            return None
        return await move_secrets(engine, store)

    # -- accounts ---------------------------------------------------------------------------

    async def accounts(self) -> list[Account]:
        return await (await self._ready()).accounts.all_accounts()

    async def pinned_accounts(self) -> list[tuple[str, str]]:
        """(name, id) of the accounts pinned to the tray, without loading the others."""
        return await (await self._ready()).accounts.pinned()

    async def account(self, name_or_id: str) -> Account:
        return await (await self._ready()).accounts.get(name_or_id)

    async def add_account(
        self,
        draft: Account,
        inputs: Mapping[str, str],
        secrets: Mapping[str, Secret],
        *,
        sign_in: bool,
    ) -> Account:
        """Add an account; with `sign_in`, only once signing in with the draft's values works."""
        engine = await self._ready()
        if sign_in:
            return await engine.sessions.add_signed_in(draft, inputs, secrets)
        return await engine.accounts.add(draft, inputs, secrets)

    async def edit_account(
        self,
        account: Account,
        inputs: Mapping[str, str],
        secrets: Mapping[str, Secret],
        *,
        sign_in: bool,
    ) -> Account:
        """Save an edit; with `sign_in`, only once signing in with the edited values works."""
        engine = await self._ready()
        if sign_in:
            return await engine.sessions.edit_signed_in(account, inputs, secrets)
        return await engine.accounts.edit(account, inputs, secrets)

    async def remove_account(self, account: Account) -> None:
        await (await self._ready()).sessions.remove(account)

    async def set_pinned(self, account: Account, pinned: bool) -> Account:
        return await (await self._ready()).accounts.set_pinned(account, pinned)

    async def sign_in(self, account: Account) -> Account:
        return await (await self._ready()).sessions.sign_in(account)

    async def sign_in_with(self, account: Account, secrets: Mapping[str, Secret]) -> Account:
        return await (await self._ready()).sessions.sign_in_with(account, secrets)

    async def sign_out(self, account: Account) -> Account:
        return await (await self._ready()).sessions.sign_out(account)

    async def stored_secret_fields(self, account: Account) -> frozenset[str]:
        return await (await self._ready()).accounts.stored_secret_fields(account)

    async def test_account(self, account: Account) -> ProbeResult:
        return await (await self._ready()).sessions.test(account)

    async def current_token(self, account: Account) -> Secret:
        """A token of the account valid for a while yet (refreshed first when needed)."""
        return await (await self._ready()).sessions.current_token(account)

    # -- API keys ---------------------------------------------------------------------------

    async def list_keys(self, account: Account) -> list[KeyView]:
        return await (await self._ready()).keys.list_keys(account)

    async def create_key(
        self, account: Account, name: str, lifetime: timedelta | None, scopes: tuple[str, ...]
    ) -> tuple[Credential, Secret]:
        return await (await self._ready()).keys.create_key(account, name, lifetime, scopes)

    def rotation(self, account: Account, old: RemoteKey) -> Rotation:
        return self._now_connected().keys.rotation(account, old)

    async def rotate_key(self, account: Account, old: RemoteKey) -> tuple[Credential, Secret]:
        return await (await self._ready()).keys.rotate_key(account, old)

    async def revoke_key(self, account: Account, key_id: str) -> None:
        await (await self._ready()).keys.revoke_key(account, key_id)

    async def reveal_key(self, credential: Credential) -> Secret | None:
        return await (await self._ready()).keys.reveal_key(credential)

    # -- held credentials and tracked tokens ------------------------------------------------

    async def held_credentials(self) -> list[HeldCredential]:
        """Every credential with its account and verdict, as the tables show them."""
        return await (await self._ready()).tokens.held()

    async def catalog_snapshot(self) -> CatalogSnapshot:
        """Every account and every held credential (the Accounts table), from the same read
        the Tokens table gets while nothing changed."""
        return await (await self._ready()).tokens.snapshot()

    async def attention(self, now: datetime, soonest: int) -> list[HeldCredential]:
        """What may need a person now, and the next `soonest` expiries (the tray)."""
        return await (await self._ready()).tokens.attention(now, soonest)

    async def track_token(self, label: str, token: Secret) -> Credential:
        return await (await self._ready()).tokens.track(label, token)

    async def reveal_token(self, credential: Credential) -> Secret | None:
        """The secret, for the clipboard or the Inspector (the copy is audited)."""
        return await (await self._ready()).tokens.reveal(credential)

    async def forget_token(self, credential: Credential) -> None:
        await (await self._ready()).tokens.forget(credential)

    async def export_calendar(self, path: Path, days: int) -> int:
        """Write the upcoming expiries of the next `days` as an iCalendar file at `path`
        (replaced whole, or left as it was); how many events it holds. LocalStorageError says
        why the file could not be written."""
        from tokendeck.services.expiry_calendar import calendar_text

        engine = await self._ready()
        text, count = await calendar_text(engine.catalog, engine.policy, self.now(), days)
        await _write_file(path, text.encode())
        return count

    async def plaintext_places(self) -> list[Path]:
        """The usual places plaintext credentials lie in that exist here (File > Import)."""
        return await (await self._ready()).imports.usual_places()

    async def scan_plaintext(self, paths: Sequence[Path]) -> Scanned:
        """What the files hold that TokenDeck knows (read off the loop's thread; no secret
        store needed)."""
        return await (await self._ready()).imports.scan(paths)

    async def import_plaintext(self, finds: Sequence[Find]) -> list[Imported]:
        """Each find kept in the secret store (an account or a tracked token), read back."""
        return await (await self._ready()).imports.import_finds(finds)

    async def remove_plaintext(self, imported: Sequence[Imported]) -> list[RemovalResult]:
        """The verified imports' plaintext copies taken out of their files."""
        return await (await self._ready()).imports.remove_plaintext(imported)

    async def activity(self) -> list[ActivityRow]:
        """What happened, newest first (the audit log, in words; never a secret)."""
        from tokendeck.services.activity import activity

        return await activity((await self._ready()).catalog)

    async def export_activity(self, path: Path, rows: Sequence[ActivityRow]) -> None:
        """`rows` as CSV at `path` (replaced whole, or left as it was); LocalStorageError says
        why not."""
        from tokendeck.services.activity import to_csv

        await _write_file(path, to_csv(rows).encode())

    def __repr__(self) -> str:
        state = "connected" if self._engine else ("failed" if self._failure else "waiting")
        return f"<Door {state}>"


async def _write_file(path: Path, data: bytes) -> None:
    """`data` at `path`, off the loop's thread, whole or not at all (a file a person chose to
    export to); LocalStorageError says why not."""
    import asyncio

    from tokendeck.storage.vault import write_file_atomically

    try:
        await asyncio.to_thread(write_file_atomically, path, data)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise LocalStorageError(f"Could not write {path.name} ({reason}).") from None
