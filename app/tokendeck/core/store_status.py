"""Which secret store is in use, as the window shows it: told apart by kind, never by its text."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class StoreKind(StrEnum):
    KEYRING = "keyring"  # the OS keyring (Secret Service, KWallet, Keychain, Credential Manager)
    VAULT = "vault"  # TokenDeck's encrypted vault file
    MEMORY = "memory"  # the demo's: secrets vanish on quit
    NONE = "none"  # no store could be opened or the user declined every one
    STARTING = "starting"  # not chosen yet (see storage/starting_store.py)

    @property
    def usable(self) -> bool:
        """Whether secrets can be kept in it now."""
        return self not in (StoreKind.NONE, StoreKind.STARTING)


@dataclass(frozen=True, slots=True)
class StoreStatus:
    kind: StoreKind
    description: str  # for people: "System keyring (SecretService)", "Encrypted vault (x)"

    @property
    def usable(self) -> bool:
        return self.kind.usable

    @property
    def place(self) -> str:
        """Where the secrets are, for a sentence: "… is deleted from the system keyring"."""
        return {
            StoreKind.KEYRING: "the system keyring",
            StoreKind.VAULT: "the encrypted vault",
            StoreKind.MEMORY: "memory (this demo forgets it on quit)",
            StoreKind.NONE: "no secret store",
            StoreKind.STARTING: "the secret store",
        }[self.kind]

    @property
    def movable(self) -> bool:
        """Whether Settings can move to the other kind (keyring <-> vault): with no store open,
        to the vault (the way back to a store without restarting)."""
        return self.kind in (StoreKind.KEYRING, StoreKind.VAULT, StoreKind.NONE)


STARTING_STATUS = StoreStatus(StoreKind.STARTING, "starting…")
