"""The OS keyring (Secret Service, KWallet, macOS Keychain, Windows Credential Locker) via `keyring`.

Every call runs on one dedicated worker thread (backends such as Secret Service are not safe to
call concurrently, and a locked keyring may block on an unlock prompt), under a timeout, so the
UI thread never waits on it. Values are stored as `td1:<secret>`; a secret longer than
`CHUNK_CHARS` is split into parts `<ref>#1..n` under a `td1-chunks:<n>:<sha256>` head entry,
because Windows Credential Manager refuses blobs over 2,560 bytes (UTF-16: 1,280 characters).
Chunking applies on every OS so it is tested here.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import secrets
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from tokendeck.core.redaction import redact
from tokendeck.core.secret import Secret
from tokendeck.storage.secret_store import SecretStoreError

SERVICE = "TokenDeck"
CHUNK_CHARS = 1000
DEFAULT_TIMEOUT = 10.0
_PLAIN = "td1:"
_CHUNKS = "td1-chunks:"
# Backends that would write secrets in clear text or nowhere: never used silently.
_REFUSED_BACKENDS = ("fail.Keyring", "null.Keyring", "PlaintextKeyring", "chainer.ChainerBackend")

T = TypeVar("T")


def _backend_name(backend: Any) -> str:
    return f"{type(backend).__module__.rsplit('.', 1)[-1]}.{type(backend).__name__}"


class KeyringStore:
    def __init__(self, namespace: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._namespace = namespace
        self._timeout = timeout
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="keyring"
        )
        self._keyring: Any = None
        self._backend_label = "SecretService" if sys.platform.startswith("linux") else "system"
        # Loading keyring picks and initialises a backend (D-Bus for Secret Service): that runs
        # on the worker, first in its queue, never on the thread that constructs the store.
        self._executor.submit(self._load)

    def _load(self) -> None:
        import keyring

        self._keyring = keyring
        self._backend_label = type(keyring.get_keyring()).__module__.rsplit(".", 1)[-1]

    @property
    def description(self) -> str:
        return f"System keyring ({self._backend_label})"

    def _user(self, ref: str) -> str:
        return f"{self._namespace}:{ref}"

    async def _run(self, action: str, fn: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, fn)
        try:
            return await asyncio.wait_for(future, self._timeout)
        except TimeoutError as exc:
            raise SecretStoreError(
                f"The system keyring did not answer within {self._timeout:.0f} s while trying to "
                f"{action}. It may be locked or waiting for an unlock prompt."
            ) from exc
        except SecretStoreError:
            raise
        except Exception as exc:
            raise SecretStoreError(_explain(exc, action)) from None

    async def get(self, ref: str) -> Secret | None:
        def read() -> Secret | None:
            head = self._keyring.get_password(SERVICE, self._user(ref))
            if head is None:
                return None
            if head.startswith(_PLAIN):
                return Secret(head[len(_PLAIN) :])
            if head.startswith(_CHUNKS):
                count_text, digest = head[len(_CHUNKS) :].split(":", 1)
                parts = []
                for index in range(1, int(count_text) + 1):
                    part = self._keyring.get_password(SERVICE, self._user(f"{ref}#{index}"))
                    if part is None:
                        raise SecretStoreError(f"Part {index} of a long secret is missing.")
                    parts.append(part)
                value = "".join(parts)
                if hashlib.sha256(value.encode()).hexdigest()[:16] != digest:
                    raise SecretStoreError("A long secret's parts do not fit together.")
                return Secret(value)
            return Secret(head)

        return await self._run("read a secret", read)

    async def set(self, ref: str, secret: Secret) -> None:
        value = secret.reveal()

        def write() -> None:
            old_head = self._keyring.get_password(SERVICE, self._user(ref))
            if len(value) <= CHUNK_CHARS:
                self._keyring.set_password(SERVICE, self._user(ref), _PLAIN + value)
            else:
                parts = [value[i : i + CHUNK_CHARS] for i in range(0, len(value), CHUNK_CHARS)]
                for index, part in enumerate(parts, start=1):
                    self._keyring.set_password(SERVICE, self._user(f"{ref}#{index}"), part)
                digest = hashlib.sha256(value.encode()).hexdigest()[:16]
                self._keyring.set_password(
                    SERVICE, self._user(ref), f"{_CHUNKS}{len(parts)}:{digest}"
                )
            self._drop_extra_parts(ref, old_head, keep=_part_count(value))

        await self._run("store a secret", write)

    def _drop_extra_parts(self, ref: str, old_head: str | None, *, keep: int) -> None:
        if old_head is None or not old_head.startswith(_CHUNKS):
            return
        old_count = int(old_head[len(_CHUNKS) :].split(":", 1)[0])
        for index in range(keep + 1, old_count + 1):
            self._delete_quietly(self._user(f"{ref}#{index}"))

    def _delete_quietly(self, user: str) -> None:
        with contextlib.suppress(self._keyring.errors.PasswordDeleteError):
            self._keyring.delete_password(SERVICE, user)

    async def delete(self, ref: str) -> None:
        def remove() -> None:
            head = self._keyring.get_password(SERVICE, self._user(ref))
            if head is None:
                return
            self._drop_extra_parts(ref, head, keep=0)
            self._delete_quietly(self._user(ref))

        await self._run("delete a secret", remove)

    async def aclose(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _part_count(value: str) -> int:
    return 0 if len(value) <= CHUNK_CHARS else -(-len(value) // CHUNK_CHARS)


def _explain(exc: BaseException, action: str) -> str:
    name = type(exc).__name__
    if name == "KeyringLocked":
        return f"The system keyring is locked: unlock it, then try to {action} again."
    if name in ("InitError", "NoKeyringError"):
        return "No usable system keyring was found."
    return f"The system keyring refused to {action} ({name}: {redact(str(exc))[:200]})."


async def probe_keyring(namespace: str, *, timeout: float = DEFAULT_TIMEOUT) -> tuple[bool, str]:
    """Really write, read back and delete a throw-away entry. Returns (usable, explanation)."""

    def backend_name() -> str:
        import keyring

        return _backend_name(keyring.get_keyring())

    try:
        name = await asyncio.wait_for(asyncio.to_thread(backend_name), timeout)
    except TimeoutError:
        return False, f"The system keyring did not answer within {timeout:.0f} s."
    except Exception as exc:  # an import or backend failure means no keyring, whatever the cause
        return False, f"The keyring library could not load ({type(exc).__name__})."
    if any(name.endswith(refused) for refused in _REFUSED_BACKENDS):
        return False, f"No secure system keyring is available (backend: {name})."
    store = KeyringStore(namespace, timeout=timeout)
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
