"""The OS keyring (Secret Service, KWallet, macOS Keychain, Windows Credential Locker) via `keyring`.

Every call runs on one dedicated worker thread (backends such as Secret Service are not safe to
call concurrently, and a locked keyring may block on an unlock prompt), under a timeout, so the
UI thread never waits on it; and under a lock file shared by every TokenDeck process of the user
(`store_lock` on `keyring.lock` in the user's cache directory: shared to read, exclusive to
change), so the window and `tokendeck token` never interleave the steps of two changes. Waiting
for another process has its own budget (LOCK_TIMEOUT, then `StoreBusyError`); the keyring's own
answer has DEFAULT_TIMEOUT; a change the caller gave up on is never started later.

Longer than most modules (~480 lines): the worker, the locks and the split-secret format are one
concurrency contract; the D-Bus entries themselves are keyring_entries.py.

Entries (service "TokenDeck", user "<namespace>:<ref>"; the first is the head of the secret):
  td1:<secret>                    a secret of at most CHUNK_CHARS UTF-16 units, in the head
  td2:<meta JSON>[\\n<secret>]     a head naming parts and / or leftovers (below), and maybe a secret
  td1-chunks:<n>:<sha256[:16]>    a split secret of earlier releases, parts <ref>#1..n (still read)
A longer secret is split into parts because Windows Credential Manager refuses blobs over 2,560
bytes (UTF-16: 1,280 units); splitting applies on every OS so it is tested here. The parts of one
generation are `<ref>#<gen>.<i>`: the head's meta `{"g": gen, "d": [sha256[:16] of each part]}`
names them, and `"x": [[gen, count], ...]` lists generations that are no longer (or not yet) the
secret and are still to be deleted.

A change never writes over the parts the head names. It deletes the leftovers the head lists;
adds the new generation to the head's leftovers (the head still reads as before); writes the new
parts; flips the head to them in one entry write, listing the old generation as a leftover;
deletes the old parts; and drops the leftover from the head. A crash between any two steps leaves
the old or the new secret readable, and every part that exists named by the head, so the next
change or delete of that entry removes it. Readers follow the head and check each part's digest.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import re
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from tokendeck.core.redaction import redact
from tokendeck.core.secret import Secret
from tokendeck.core.store_status import StoreKind
from tokendeck.storage.daemon_worker import DaemonWorker
from tokendeck.storage.keyring_entries import SERVICE as SERVICE
from tokendeck.storage.keyring_entries import Entries, open_entries
from tokendeck.storage.secret_store import SecretAbout, SecretStoreError, store_lock

CHUNK_CHARS = 1000  # UTF-16 units in one entry's secret (2,000 bytes, under Windows' 2,560)
HEAD_UNITS = 1270  # UTF-16 units a head entry may take (2,540 bytes)
MAX_PARTS = 1000
PRESENCE_BATCH = 50  # lookups per worker call where the backend cannot list (about 1 s)
DEFAULT_TIMEOUT = 10.0  # for the keyring to answer
LOCK_TIMEOUT = 30.0  # for another TokenDeck process to finish its change
_PLAIN = "td1:"
_LEGACY = "td1-chunks:"
_HEAD = "td2:"
_GEN = re.compile(r"[0-9a-f]{8}")
_DIGEST = re.compile(r"[0-9a-f]{16}")
# Backends that would write secrets in clear text or nowhere: never used silently.
_REFUSED_BACKENDS = ("fail.Keyring", "null.Keyring", "PlaintextKeyring", "chainer.ChainerBackend")

T = TypeVar("T")


def default_lock_path() -> Path:
    """One lock file per user for every TokenDeck process that talks to the keyring."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("tokendeck", appauthor=False)) / "keyring.lock"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _units(text: str) -> int:
    """Length in UTF-16 code units (what Windows counts)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


def _split(value: str) -> list[str]:
    if value.isascii():
        return [value[i : i + CHUNK_CHARS] for i in range(0, len(value), CHUNK_CHARS)]
    parts: list[str] = []
    start = units = 0
    for index, char in enumerate(value):
        width = 2 if ord(char) > 0xFFFF else 1
        if units + width > CHUNK_CHARS:
            parts.append(value[start:index])
            start, units = index, 0
        units += width
    parts.append(value[start:])
    return parts


@dataclass(frozen=True, slots=True)
class _Head:
    """What a head entry says: a secret held inline, or the generation of parts holding it, or
    nothing (a tombstone), plus the leftover generations still to delete."""

    value: str | None = None
    gen: str | None = None  # "" for the parts of an earlier release (<ref>#<i>)
    digests: tuple[str, ...] = ()  # one per part
    count: int = 0
    whole: str | None = None  # earlier releases: the digest of the whole secret
    leftovers: tuple[tuple[str, int], ...] = ()
    damaged: bool = False

    @property
    def parts(self) -> tuple[str, int] | None:
        return None if self.gen is None else (self.gen, self.count)

    def encode(self) -> str:
        if self.value is not None and not self.leftovers:
            return _PLAIN + self.value
        meta: dict[str, Any] = {}
        if self.gen is not None:
            meta["g"] = self.gen
            if self.whole is not None:
                meta["n"], meta["s"] = self.count, self.whole
            else:
                meta["d"] = list(self.digests)
        if self.leftovers:
            meta["x"] = [list(x) for x in self.leftovers]
        text = _HEAD + json.dumps(meta, separators=(",", ":"))
        return text if self.value is None else f"{text}\n{self.value}"


def _count(value: Any) -> int:
    if type(value) is not int or not 1 <= value <= MAX_PARTS:
        raise ValueError("bad part count")
    return value


def _gen(value: Any, *, legacy_ok: bool) -> str:
    if not isinstance(value, str) or not (_GEN.fullmatch(value) or (legacy_ok and value == "")):
        raise ValueError("bad generation")
    return value


def _parse_head(raw: str) -> _Head:
    if raw.startswith(_PLAIN):
        return _Head(value=raw[len(_PLAIN) :])
    try:
        if raw.startswith(_LEGACY):
            count_text, whole = raw[len(_LEGACY) :].split(":", 1)
            return _Head(gen="", count=_count(int(count_text)), whole=whole)
        if not raw.startswith(_HEAD):
            return _Head(value=raw)  # written by hand, or before the prefixes existed
        meta_text, newline, value = raw[len(_HEAD) :].partition("\n")
        meta = json.loads(meta_text)
        if not isinstance(meta, dict):
            raise ValueError  # bad head: read as damaged below
        leftovers = tuple((_gen(g, legacy_ok=True), _count(n)) for g, n in meta.get("x", []))
        head = _Head(value=value if newline else None, leftovers=leftovers)
        if "g" not in meta:
            return head
        if newline:
            raise ValueError  # both a secret and parts: read as damaged below
        gen = _gen(meta["g"], legacy_ok=True)
        if gen == "":
            whole = meta["s"]
            if not isinstance(whole, str):
                raise ValueError  # bad digest: read as damaged below
            return replace(head, gen=gen, count=_count(meta["n"]), whole=whole)
        digests = meta["d"]
        if not isinstance(digests, list) or not all(
            isinstance(d, str) and _DIGEST.fullmatch(d) for d in digests
        ):
            raise ValueError  # bad digests: read as damaged below
        return replace(head, gen=gen, count=_count(len(digests)), digests=tuple(digests))
    except (ValueError, TypeError, KeyError, RecursionError):
        return _Head(damaged=True)


class KeyringStore:
    def __init__(
        self,
        namespace: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        lock_timeout: float = LOCK_TIMEOUT,
        lock_path: Path | None = None,
        entries: Callable[[], Entries] | None = None,
    ) -> None:
        """`entries` makes the keyring adapter (on the worker); default: `open_entries`, the
        best one for the backend python-keyring picks."""
        self._namespace = namespace
        self._open_entries = entries
        self._timeout = timeout
        self._lock_timeout = lock_timeout
        self._lock_path = lock_path or default_lock_path()
        self._executor = DaemonWorker("keyring")  # a call nobody answers never holds quit
        self._entries: Entries | None = None
        self._backend_label: str | None = None  # known once the worker has loaded keyring
        self._closed = False
        self._entries_lock = threading.Lock()  # `_entries` and `_closed`, between worker and loop
        # Loading keyring picks and initialises a backend (D-Bus for Secret Service): that runs
        # on the worker, first in its queue, never on the thread that constructs the store.
        self._executor.submit(self._load)

    def _load(self) -> None:
        entries = (self._open_entries or open_entries)()
        with self._entries_lock:
            if self._closed:  # the store closed while the connection opened: nobody will use it
                entries.close()
                return
            self._entries = entries
            self._backend_label = entries.name

    @property
    def _keyring(self) -> Entries:
        """The entries adapter; a failed load is retried by the next call (and raises there)."""
        if self._entries is None:
            self._load()
        if self._entries is None:
            raise SecretStoreError("The keyring store is closed.")
        return self._entries

    @property
    def kind(self) -> StoreKind:
        return StoreKind.KEYRING

    @property
    def description(self) -> str:
        label = self._backend_label
        return "System keyring" if label is None else f"System keyring ({label})"

    async def backend(self) -> str:
        """The keyring behind the store in full ("SecretService", "macOS.Keyring"), once its
        adapter loaded on the worker (a load that fails raises here)."""
        return await asyncio.wrap_future(self._executor.submit(lambda: self._keyring.backend))

    def _user(self, ref: str) -> str:
        return f"{self._namespace}:{ref}"

    def _part_user(self, ref: str, gen: str, index: int) -> str:
        return self._user(f"{ref}#{index}" if gen == "" else f"{ref}#{gen}.{index}")

    async def _run(self, action: str, fn: Callable[[], T], *, shared: bool) -> T:
        """Run `fn` on the worker under the cross-process lock. Waiting for another TokenDeck
        process has its own budget (`lock_timeout`, then StoreBusyError); once the lock is held,
        the keyring itself has `timeout` to answer."""
        loop = asyncio.get_running_loop()
        acquired = asyncio.Event()
        abandoned = threading.Event()

        def locked() -> T:
            with store_lock(
                self._lock_path,
                shared=shared,
                timeout=self._lock_timeout,
                what="the system keyring",
            ):
                if abandoned.is_set():  # the caller gave up while this waited: do nothing
                    raise SecretStoreError(f"Gave up trying to {action}.")
                if self._closed:  # queued before the store closed: never started
                    raise SecretStoreError(f"The keyring store is closed: could not {action}.")
                loop.call_soon_threadsafe(acquired.set)
                return fn()

        try:
            future = loop.run_in_executor(self._executor, locked)
        except RuntimeError:
            raise SecretStoreError(f"The keyring store is closed: could not {action}.") from None
        holding = asyncio.ensure_future(acquired.wait())
        either: set[asyncio.Future[Any]] = {future, holding}
        try:
            await asyncio.wait(
                either,
                timeout=self._lock_timeout + self._timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if not (future.done() or acquired.is_set()):
                raise TimeoutError  # the worker is stuck on an earlier call
            return await asyncio.wait_for(future, self._timeout)
        except TimeoutError as exc:
            abandoned.set()
            # The worker may still finish (or refuse with "Gave up"): nobody waits for that.
            future.add_done_callback(_forget)
            raise SecretStoreError(
                f"The system keyring did not answer within {self._timeout:.0f} s while trying to "
                f"{action}. It may be locked or waiting for an unlock prompt."
            ) from exc
        except asyncio.CancelledError:
            # The caller went away (a quit cancels what the window still runs): the worker may
            # still finish, or refuse with "closed"; nobody waits for that either.
            abandoned.set()
            future.add_done_callback(_forget)
            raise
        except SecretStoreError:
            raise
        except Exception as exc:
            raise SecretStoreError(_explain(exc, action)) from None
        finally:
            holding.cancel()

    # -- one keyring entry at a time (on the worker) -----------------------------------------

    def _get(self, user: str) -> str | None:
        return self._keyring.get(user)

    def _set(
        self, user: str, value: str, about: SecretAbout, part: tuple[int, int] | None = None
    ) -> None:
        self._keyring.set(user, value, about, part)

    def _delete_quietly(self, user: str) -> None:
        self._keyring.delete(user)

    def _drop(self, ref: str, generations: tuple[tuple[str, int], ...]) -> None:
        for gen, count in generations:
            for index in range(1, count + 1):
                self._delete_quietly(self._part_user(ref, gen, index))

    def _head(self, ref: str) -> _Head | None:
        raw = self._get(self._user(ref))
        return None if raw is None else _parse_head(raw)

    # -- the store ---------------------------------------------------------------------------

    async def get(self, ref: str) -> Secret | None:
        return await self._run("read a secret", lambda: self._read(ref), shared=True)

    def _read(self, ref: str) -> Secret | None:
        head = self._head(ref)
        if head is None:
            return None
        if head.damaged:
            raise SecretStoreError("The keyring entry of this secret is damaged.")
        if head.value is not None:
            return Secret(head.value)
        if head.gen is None:
            return None  # a tombstone: deleted, or never finished
        parts = []
        for index in range(1, head.count + 1):
            part = self._get(self._part_user(ref, head.gen, index))
            if part is None:
                raise SecretStoreError(f"Part {index} of a long secret is missing.")
            if head.whole is None and _digest(part) != head.digests[index - 1]:
                raise SecretStoreError(f"Part {index} of a long secret is damaged.")
            parts.append(part)
        value = "".join(parts)
        if head.whole is not None and _digest(value) != head.whole:
            raise SecretStoreError("A long secret's parts do not fit together.")
        return Secret(value)

    async def set(self, ref: str, secret: Secret, about: SecretAbout | None = None) -> None:
        value = secret.reveal()
        named = about or SecretAbout(f"secret {ref}")
        await self._run("store a secret", lambda: self._write(ref, value, named), shared=False)

    async def present(self, refs: Sequence[str]) -> frozenset[str]:
        """Which of `refs` have an entry: one listing where the backend has one (the Secret
        Service), else one lookup per ref in batches that each fit the timeout."""
        prefix = self._user("")
        listed = await self._run(
            "list the secrets", lambda: self._keyring.users(prefix), shared=True
        )
        if listed is not None:
            return frozenset(ref for ref in refs if self._user(ref) in listed)
        held: list[str] = []
        for start in range(0, len(refs), PRESENCE_BATCH):
            batch = functools.partial(self._held, list(refs[start : start + PRESENCE_BATCH]))
            held += await self._run("check the secrets", batch, shared=True)
        return frozenset(held)

    def _held(self, refs: list[str]) -> list[str]:
        return [ref for ref in refs if self._get(self._user(ref)) is not None]

    def _write(self, ref: str, value: str, about: SecretAbout) -> None:
        user = self._user(ref)
        head = self._head(ref) or _Head()
        if head.damaged:
            head = _Head()
        self._drop(ref, head.leftovers)  # never the generation the head reads from
        old = head.parts
        if _units(value) <= CHUNK_CHARS:
            if old is not None:
                self._set(user, replace(_Head(value=value), leftovers=(old,)).encode(), about)
                self._drop(ref, (old,))
            self._set(user, _PLAIN + value, about)
            return
        pieces = _split(value)
        gen = secrets.token_hex(4)
        while old is not None and gen == old[0]:
            gen = secrets.token_hex(4)
        new = _Head(gen=gen, digests=tuple(_digest(p) for p in pieces), count=len(pieces))
        flipped = replace(new, leftovers=(old,) if old else ())
        # The head lists a digest per part, so its size bounds the parts (to 65, far below the
        # MAX_PARTS a head read back may name).
        if _units(flipped.encode()) > HEAD_UNITS:
            raise SecretStoreError(
                f"This secret is too long for the system keyring ({len(value)} characters)."
            )
        self._set(user, replace(head, leftovers=((gen, len(pieces)),)).encode(), about)
        for index, piece in enumerate(pieces, start=1):
            self._set(self._part_user(ref, gen, index), piece, about, (index, len(pieces)))
        self._set(user, flipped.encode(), about)
        if old is not None:
            self._drop(ref, (old,))
            self._set(user, new.encode(), about)

    async def delete(self, ref: str) -> None:
        await self._run("delete a secret", lambda: self._remove(ref), shared=False)

    def _remove(self, ref: str) -> None:
        user = self._user(ref)
        head = self._head(ref)
        if head is None:
            return
        pending = head.leftovers + ((head.parts,) if head.parts else ())
        if pending:
            # Reads as absent from now on.
            self._set(user, _Head(leftovers=pending).encode(), SecretAbout(f"deleted secret {ref}"))
            self._drop(ref, pending)
        self._delete_quietly(user)

    async def aclose(self) -> None:
        """Refuse what is still queued, and close the keyring connection on the worker once the
        call running there (if any) returns: closed under it, that call would wait for its
        answer for good, holding the lock every TokenDeck process shares."""
        with self._entries_lock:
            self._closed = True
            entries, self._entries = self._entries, None
        self._executor.shutdown(
            wait=False, cancel_futures=True, then=entries.close if entries is not None else None
        )


def _forget(future: asyncio.Future[Any]) -> None:
    """Retrieve an abandoned call's outcome, so asyncio never logs it as unretrieved."""
    if not future.cancelled():
        future.exception()


def _explain(exc: BaseException, action: str) -> str:
    name = type(exc).__name__
    if name == "KeyringLocked":
        return f"The system keyring is locked: unlock it, then try to {action} again."
    if name in ("InitError", "NoKeyringError"):
        return "No usable system keyring was found."
    return f"The system keyring refused to {action} ({name}: {redact(str(exc))[:200]})."


async def probe_keyring(namespace: str, *, timeout: float = DEFAULT_TIMEOUT) -> tuple[bool, str]:
    """Really write, read back and delete a throw-away entry. Returns (usable, explanation)."""

    store = KeyringStore(namespace, timeout=timeout, lock_timeout=timeout)
    try:
        name = await asyncio.wait_for(store.backend(), timeout)
    except TimeoutError:
        await store.aclose()
        return False, f"The system keyring did not answer within {timeout:.0f} s."
    except Exception as exc:  # an import or backend failure means no keyring, whatever the cause
        await store.aclose()
        return False, f"The keyring library could not load ({type(exc).__name__})."
    if any(name.endswith(refused) for refused in _REFUSED_BACKENDS):
        await store.aclose()
        return False, f"No secure system keyring is available (backend: {name})."
    ref = f"probe-{secrets.token_hex(8)}"
    value = Secret(secrets.token_urlsafe(24))
    try:
        await store.set(ref, value)
        ok = await store.get(ref) == value
        await store.delete(ref)
        gone = await store.get(ref) is None
    except SecretStoreError as exc:
        return False, str(exc)
    finally:
        await store.aclose()
    if not (ok and gone):
        return False, f"The system keyring ({name}) did not give back what was stored."
    return True, f"System keyring works ({name})."
