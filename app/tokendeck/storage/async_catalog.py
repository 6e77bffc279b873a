"""The catalog for async code: every call runs on one worker thread, never on the UI thread and
never two at once; each method is the `Catalog` method of the same name, awaited."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from tokendeck.storage.catalog import Catalog

P = ParamSpec("P")
T = TypeVar("T")


def _offloaded(
    fn: Callable[Concatenate[Catalog, P], T],
) -> Callable[Concatenate[AsyncCatalog, P], Coroutine[Any, Any, T]]:
    """`Catalog.fn` as a typed coroutine method of `AsyncCatalog`, run on its worker.

    The method is looked up on `Catalog` by name at each call, so what replaces it there (a
    test's spy) is what runs."""
    name = fn.__name__

    async def method(self: AsyncCatalog, /, *args: P.args, **kwargs: P.kwargs) -> T:
        current: Callable[Concatenate[Catalog, P], T] = getattr(Catalog, name)
        return await self._call(current, *args, **kwargs)

    method.__name__ = fn.__name__
    method.__qualname__ = f"AsyncCatalog.{fn.__name__}"
    method.__doc__ = fn.__doc__
    return method


def _worker() -> concurrent.futures.ThreadPoolExecutor:
    return concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalog")


class AsyncCatalog:
    """Runs every catalog call on one worker thread: never on the UI thread, never concurrently.

    Each method is the `Catalog` method of the same name, awaited; the synchronous catalog itself
    is not reachable from outside, so no caller can run a query on its own thread by mistake."""

    def __init__(
        self, catalog: Catalog, executor: concurrent.futures.ThreadPoolExecutor | None = None
    ) -> None:
        self._sync = catalog
        self._executor = executor or _worker()

    @classmethod
    async def open(cls, path: Path) -> AsyncCatalog:
        """Open (and migrate) the catalog on the worker that will run every later call."""
        executor = _worker()
        catalog = await asyncio.get_running_loop().run_in_executor(executor, Catalog, path)
        return cls(catalog, executor)

    async def _call(
        self, fn: Callable[Concatenate[Catalog, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(self._sync, *args, **kwargs))

    namespace = _offloaded(Catalog.namespace)
    integrity_check = _offloaded(Catalog.integrity_check)
    version = _offloaded(Catalog.version)
    add_account = _offloaded(Catalog.add_account)
    update_account = _offloaded(Catalog.update_account)
    set_account_status = _offloaded(Catalog.set_account_status)
    get_account = _offloaded(Catalog.get_account)
    find_account = _offloaded(Catalog.find_account)
    list_accounts = _offloaded(Catalog.list_accounts)
    pinned_accounts = _offloaded(Catalog.pinned_accounts)
    delete_account = _offloaded(Catalog.delete_account)
    upsert_credential = _offloaded(Catalog.upsert_credential)
    upsert_credentials = _offloaded(Catalog.upsert_credentials)
    get_credential = _offloaded(Catalog.get_credential)
    accounts_and_credentials = _offloaded(Catalog.accounts_and_credentials)
    list_credentials = _offloaded(Catalog.list_credentials)
    held_refs = _offloaded(Catalog.held_refs)
    holders_of = _offloaded(Catalog.holders_of)
    due_credentials = _offloaded(Catalog.due_credentials)
    sessions_of_accounts = _offloaded(Catalog.sessions_of_accounts)
    attention_candidates = _offloaded(Catalog.attention_candidates)
    widest_warn_threshold = _offloaded(Catalog.widest_warn_threshold)
    delete_credential = _offloaded(Catalog.delete_credential)
    begin_pending = _offloaded(Catalog.begin_pending)
    begin_pending_all = _offloaded(Catalog.begin_pending_all)
    complete_pending = _offloaded(Catalog.complete_pending)
    complete_pending_all = _offloaded(Catalog.complete_pending_all)
    list_pending = _offloaded(Catalog.list_pending)
    drop_pending = _offloaded(Catalog.drop_pending)
    fired_thresholds = _offloaded(Catalog.fired_thresholds)
    fired_for = _offloaded(Catalog.fired_for)
    fired_all = _offloaded(Catalog.fired_all)
    mark_fired_many = _offloaded(Catalog.mark_fired_many)
    mark_fired = _offloaded(Catalog.mark_fired)
    reset_fired = _offloaded(Catalog.reset_fired)
    reset_fired_for_account = _offloaded(Catalog.reset_fired_for_account)
    audit = _offloaded(Catalog.audit)
    audit_log = _offloaded(Catalog.audit_log)

    async def aclose(self) -> None:
        await self._call(Catalog.close)
        self._executor.shutdown(wait=True)
