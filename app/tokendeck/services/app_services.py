"""Everything the window drives, started after the first paint and closed on quit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from tokendeck.core.clock import Clock, SystemClock
from tokendeck.services.accounts import AccountsService, AdapterFactory
from tokendeck.services.events import AccountsChanged, CredentialsChanged, EventBus, StoreChanged
from tokendeck.services.expiry_watcher import ExpiryWatcher
from tokendeck.services.key_ids import load_id_key
from tokendeck.services.refresh_scheduler import RefreshScheduler
from tokendeck.services.standing import ExpiryPolicy
from tokendeck.services.store_choice import NoStore, VaultPrompt, choose_store
from tokendeck.services.tokens import TokensService
from tokendeck.storage.catalog import AsyncCatalog, Catalog
from tokendeck.storage.secret_keeper import ReconcileReport, SecretKeeper
from tokendeck.storage.secret_store import SecretStore

log = logging.getLogger(__name__)


class AppServices:
    def __init__(
        self,
        catalog: AsyncCatalog,
        keeper: SecretKeeper,
        bus: EventBus,
        clock: Clock,
        store_message: str,
        reconcile: ReconcileReport,
        adapter_factory: AdapterFactory | None = None,
        id_key: bytes | None = None,
    ) -> None:
        self.catalog = catalog
        self.keeper = keeper
        self.bus = bus
        self.clock = clock
        self.store_message = store_message
        self.reconcile_report = reconcile
        self.policy = ExpiryPolicy()
        self.tokens = TokensService(catalog, keeper, bus, self.policy)
        self.accounts = AccountsService(catalog, keeper, bus, clock, adapter_factory, id_key)
        self.scheduler = RefreshScheduler(self.accounts, bus, clock, policy=self.policy)
        self.watcher = ExpiryWatcher(catalog, bus, clock, self.policy)
        self._tasks: list[asyncio.Task[None]] = []
        self._closers: list[Callable[[], None]] = []

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
        catalog = await AsyncCatalog.open(catalog_path)
        namespace = await catalog.run(Catalog.namespace, catalog.sync)
        choice = await choose_store(
            namespace, vault_path, prompt, memory=memory_store, prefer_vault=prefer_vault
        )
        store: SecretStore = choice.store if choice.store is not None else NoStore()
        keeper = SecretKeeper(catalog, store)
        # Against no store every secret looks lost: reconcile only with a store that opened.
        report = await keeper.reconcile() if choice.store is not None else ReconcileReport()
        if not report.clean:
            log.warning("reconcile: %s", report.summary())
        id_key = (
            await load_id_key(store, vault_path.parent / "key-ids.lock")
            if choice.store is not None
            else None
        )
        services = cls(
            catalog,
            keeper,
            bus or EventBus(),
            clock or SystemClock(),
            choice.message,
            report,
            adapter_factory,
            id_key,
        )
        services.bus.publish(StoreChanged(store.description, choice.store is not None))
        return services

    def apply(self, thresholds: tuple[timedelta, ...], auto_refresh: bool) -> None:
        """The user's warning thresholds and automatic refresh: every verdict follows them."""
        changed = (thresholds, auto_refresh) != (self.policy.thresholds, self.policy.auto_refresh)
        self.policy.thresholds = tuple(thresholds)
        self.policy.auto_refresh = auto_refresh
        if changed:
            self.bus.publish(AccountsChanged(None))
            self.bus.publish(CredentialsChanged())

    @property
    def store(self) -> SecretStore:
        return self.keeper.store

    def add_closer(self, closer: Callable[[], None]) -> None:
        """Run `closer` on quit, after the services stop (e.g. the demo sandbox)."""
        self._closers.append(closer)

    def start_background(self, *, watch_interval: float = 15.0) -> None:
        self._tasks.append(asyncio.ensure_future(self.watcher.run(watch_interval)))
        self._tasks.append(asyncio.ensure_future(self.scheduler.run()))

    async def aclose(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.accounts.aclose()
        await self.keeper.store.aclose()
        await self.catalog.aclose()
        for closer in self._closers:
            await asyncio.to_thread(closer)
