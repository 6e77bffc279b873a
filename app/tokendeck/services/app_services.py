"""Everything the window drives, started after the first paint and closed on quit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tokendeck.core.clock import Clock, SystemClock
from tokendeck.core.store_status import StoreStatus
from tokendeck.services.accounts import AccountsService
from tokendeck.services.adapter_pool import AdapterFactory, AdapterPool
from tokendeck.services.events import (
    AccountsChanged,
    CredentialsChanged,
    EventBus,
    SecretsChecked,
    StoreChanged,
)
from tokendeck.services.expiry_watcher import ExpiryWatcher
from tokendeck.services.key_ids import load_id_key
from tokendeck.services.keys import KeysService
from tokendeck.services.refresh_scheduler import RefreshScheduler
from tokendeck.services.sessions import SessionsService
from tokendeck.services.standing import ExpiryPolicy
from tokendeck.services.store_choice import NoStore, StoreChoice, VaultPrompt, choose_store
from tokendeck.services.tokens import TokensService
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.secret_keeper import ReconcileReport, SecretKeeper
from tokendeck.storage.secret_store import SecretStore, status_of
from tokendeck.storage.starting_store import StartingStore

if TYPE_CHECKING:
    from tokendeck.services.plaintext_import import PlaintextImport

log = logging.getLogger(__name__)

# How long the secret store waits for the window's first rows before it opens anyway (s).
STORE_WAITS_AT_MOST = 2.0


class AppServices:
    def __init__(
        self,
        catalog: AsyncCatalog,
        keeper: SecretKeeper,
        bus: EventBus,
        clock: Clock,
        adapter_factory: AdapterFactory | None = None,
    ) -> None:
        self.catalog = catalog
        self.keeper = keeper
        self.bus = bus
        self.clock = clock
        self.store_message = ""  # why this store was chosen, once it is (see `_open_store`)
        self.policy = ExpiryPolicy()
        self.tokens = TokensService(catalog, keeper, bus, self.policy)
        self.adapters = AdapterPool(clock, adapter_factory)
        self.accounts = AccountsService(catalog, keeper, bus, self.adapters)
        self.sessions = SessionsService(self.accounts, catalog, keeper, clock, self.adapters)
        self.keys = KeysService(self.accounts, self.sessions, catalog, keeper, clock, self.adapters)
        self.scheduler = RefreshScheduler(self.sessions, bus, clock, policy=self.policy)
        self.watcher = ExpiryWatcher(catalog, bus, clock, self.policy)
        self._tasks: list[asyncio.Task[None]] = []
        self._closers: list[Callable[[], None]] = []
        # Set by `open`; a constructed instance has its store already.
        self._opening: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._opening.set_result(None)
        # The last bulk check of the held secrets (None: not finished yet).
        self.held_report: ReconcileReport | None = None

    @classmethod
    async def open(
        cls,
        catalog_path: Path,
        vault_path: Path,
        prompt: VaultPrompt,
        *,
        bus: EventBus | None = None,
        clock: Clock | None = None,
        memory_store: bool = False,
        prefer_vault: bool = False,
        adapter_factory: AdapterFactory | None = None,
        store_after: asyncio.Event | None = None,
    ) -> AppServices:
        """Open the catalog and return: the secret store opens in the background (see
        `StartingStore`), so the window can show the catalog's rows at once. `store_ready()`
        waits for the store; `StoreChanged` and `SecretsChecked` tell the window as it goes.

        `store_after`: the store starts opening once it is set (the window's first rows are on
        screen), or after `STORE_WAITS_AT_MOST` seconds. Its imports and D-Bus calls run on
        this thread, or hold the GIL in the worker: started at once, they delayed the first
        rows of a 200-account profile by about 100 ms (bench/profile_load.py)."""
        catalog = await AsyncCatalog.open(catalog_path)
        starting = StartingStore()
        services = cls(
            catalog,
            SecretKeeper(catalog, starting),
            bus or EventBus(),
            clock or SystemClock(),
            adapter_factory,
        )
        services._opening = asyncio.ensure_future(
            services._open_store(
                starting, vault_path, prompt, memory_store, prefer_vault, store_after
            )
        )
        return services

    @classmethod
    async def start(
        cls,
        catalog_path: Path,
        vault_path: Path,
        prompt: VaultPrompt,
        *,
        bus: EventBus | None = None,
        clock: Clock | None = None,
        memory_store: bool = False,
        prefer_vault: bool = False,
        adapter_factory: AdapterFactory | None = None,
    ) -> AppServices:
        """`open`, then wait for the secret store (the command line and tests)."""
        services = await cls.open(
            catalog_path,
            vault_path,
            prompt,
            bus=bus,
            clock=clock,
            memory_store=memory_store,
            prefer_vault=prefer_vault,
            adapter_factory=adapter_factory,
        )
        await services.store_ready()
        return services

    async def store_ready(self) -> SecretStore:
        """The secret store once it is open and the journal reconciled against it."""
        await asyncio.shield(self._opening)
        return self.keeper.store

    async def _open_store(
        self,
        starting: StartingStore,
        vault_path: Path,
        prompt: VaultPrompt,
        memory_store: bool,
        prefer_vault: bool,
        store_after: asyncio.Event | None = None,
    ) -> None:
        """Choose the store, reconcile the write-before-show journal against it, load the
        key-id key, then hand the store over: calls waiting on `starting` go on only then."""
        if store_after is not None:
            # asyncio.wait, not wait_for: Python 3.11's wait_for returns normally when it is
            # cancelled as the event is set, and a quit at the first paint then opened the store
            # anyway (and its vault prompt, which nobody would answer).
            rows = asyncio.ensure_future(store_after.wait())
            try:
                await asyncio.wait({rows}, timeout=STORE_WAITS_AT_MOST)
            finally:
                rows.cancel()
        try:
            namespace = await self.catalog.namespace()
            choice = await choose_store(
                namespace, vault_path, prompt, memory=memory_store, prefer_vault=prefer_vault
            )
        except Exception:  # a failed choice leaves no store open, never a dead window
            log.exception("the secret store could not be chosen")
            choice = StoreChoice(None, "The secret store could not be opened (see the log).")
        store: SecretStore = choice.store if choice.store is not None else NoStore()
        try:
            # Against no store every secret looks lost: reconcile only with a store that opened.
            report = (
                await SecretKeeper(self.catalog, store).reconcile()
                if choice.store is not None
                else ReconcileReport()
            )
            if choice.store is not None:
                key_lock = vault_path.parent / "key-ids.lock"
                self.adapters.use_id_key(await load_id_key(store, key_lock))
        except asyncio.CancelledError:  # closed meanwhile: the store was never handed over
            await store.aclose()
            raise
        if not report.clean:
            log.warning("reconcile: %s", report.summary())
        self.store_message = choice.message
        self.keeper.store = store
        starting.resolve(store)
        log.info("secret store: %s (%s)", store.description, choice.message)
        self.bus.publish(StoreChanged(status_of(store)))
        if not report.clean:
            self.bus.publish(SecretsChecked(report))

    async def _check_held(self) -> None:
        """Whether each held secret is still in the store, in bulk, after it opened."""
        await self.store_ready()
        report = await self.keeper.check_held()
        if report.problems or report.missing_secrets:
            log.warning("held secrets: %s", report.summary())
        self.held_report = report
        self.bus.publish(SecretsChecked(report, held=True))

    def apply(self, thresholds: tuple[timedelta, ...], auto_refresh: bool) -> None:
        """The user's warning thresholds and automatic refresh: every verdict follows them."""
        changed = (thresholds, auto_refresh) != (self.policy.thresholds, self.policy.auto_refresh)
        self.policy.thresholds = tuple(thresholds)
        self.policy.auto_refresh = auto_refresh
        if changed:
            self.bus.publish(AccountsChanged(None))
            self.bus.publish(CredentialsChanged())

    @property
    def imports(self) -> PlaintextImport:
        """Import from plaintext files (loaded when first used: nothing at start-up needs it)."""
        from tokendeck.services.plaintext_import import PlaintextImport

        return PlaintextImport(
            self.catalog, self.keeper, self.accounts, self.sessions, self.tokens, self.clock
        )

    @property
    def store(self) -> SecretStore:
        return self.keeper.store

    def store_status(self) -> StoreStatus:
        return status_of(self.keeper.store)

    def add_closer(self, closer: Callable[[], None]) -> None:
        """Run `closer` on quit, after the services stop (e.g. the demo sandbox)."""
        self._closers.append(closer)

    def start_background(self, *, watch_interval: float = 15.0) -> None:
        self._tasks.append(asyncio.ensure_future(self._check_held()))
        self._tasks.append(asyncio.ensure_future(self.watcher.run(watch_interval)))
        self._tasks.append(asyncio.ensure_future(self.scheduler.run()))

    async def aclose(self) -> None:
        if not self._opening.done():
            self._opening.cancel()
            await asyncio.gather(self._opening, return_exceptions=True)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.adapters.aclose()
        await self.keeper.store.aclose()
        await self.catalog.aclose()
        for closer in self._closers:
            await asyncio.to_thread(closer)
