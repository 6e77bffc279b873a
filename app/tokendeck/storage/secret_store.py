"""The secret store port and its in-memory implementation.

Three implementations share one async interface and one contract test suite
(tests/storage/test_secret_store_contract.py): the OS keyring (`keyring_store`), an encrypted
vault file (`vault`), and memory (tests, `--demo`). Errors are `SecretStoreError` with a message
for people; no error text ever contains a secret.
"""

from __future__ import annotations

from typing import Protocol

from tokendeck.core.secret import Secret


class SecretStoreError(Exception):
    """The store refused or failed (locked, timed out, damaged). Never carries the secret."""


class SecretStore(Protocol):
    @property
    def description(self) -> str:
        """What the status bar shows, e.g. "System keyring (SecretService)"."""
        ...

    async def get(self, ref: str) -> Secret | None: ...

    async def set(self, ref: str, secret: Secret) -> None: ...

    async def delete(self, ref: str) -> None:
        """Remove `ref`; removing a missing entry is not an error."""
        ...

    async def aclose(self) -> None: ...


class MemoryStore:
    def __init__(self) -> None:
        self._values: dict[str, Secret] = {}

    @property
    def description(self) -> str:
        return "Memory (secrets vanish on quit)"

    async def get(self, ref: str) -> Secret | None:
        return self._values.get(ref)

    async def set(self, ref: str, secret: Secret) -> None:
        self._values[ref] = secret

    async def delete(self, ref: str) -> None:
        self._values.pop(ref, None)

    async def aclose(self) -> None:
        self._values.clear()

    def refs(self) -> list[str]:
        return sorted(self._values)
