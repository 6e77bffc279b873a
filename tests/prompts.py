"""Vault password prompts for tests: no person is there to answer."""

from __future__ import annotations

from tokendeck.core.secret import Secret
from tokendeck.services.store_choice import VaultAction


class NoPrompt:
    """Declines: a test that reaches the vault prompt gets no store rather than hanging."""

    async def ask_password(
        self, action: VaultAction, reason: str, error: str | None
    ) -> Secret | None:
        return None


class KeyringOnly:
    """Fails the test if the vault is asked for: the real keyring should have been used."""

    async def ask_password(
        self, action: VaultAction, reason: str, error: str | None
    ) -> Secret | None:
        raise AssertionError(f"the real keyring should be used, but: {reason}")
