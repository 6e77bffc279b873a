from __future__ import annotations

import pytest

from tests.conftest import need_secret_service
from tokendeck.core.secret import Secret
from tokendeck.services.store_choice import NoStore, VaultAction, choose_store
from tokendeck.storage.keyring_store import KeyringStore
from tokendeck.storage.profile import Profile
from tokendeck.storage.secret_store import SecretStoreError
from tokendeck.storage.vault import Vault


class ScriptedPrompt:
    def __init__(self, *answers: str | None) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[VaultAction, str | None]] = []

    async def ask_password(
        self, action: VaultAction, reason: str, error: str | None
    ) -> Secret | None:
        self.asked.append((action, error))
        answer = self.answers.pop(0)
        return None if answer is None else Secret(answer)


async def test_real_keyring_is_chosen_when_it_works(profile: Profile) -> None:
    need_secret_service()
    choice = await choose_store("ns-test", profile.vault_path, ScriptedPrompt())
    assert isinstance(choice.store, KeyringStore)
    await choice.store.aclose()


async def test_vault_create_then_unlock_with_a_retry(profile: Profile) -> None:
    from tests.storage.conftest import FAST_SCRYPT

    prompt = ScriptedPrompt("correct horse battery")
    choice = await choose_store(
        "ns", profile.vault_path, prompt, prefer_vault=True, vault_params=FAST_SCRYPT
    )
    assert isinstance(choice.store, Vault)
    assert prompt.asked == [(VaultAction.CREATE, None)]
    prompt = ScriptedPrompt("wrong password!", "correct horse battery")
    choice = await choose_store("ns", profile.vault_path, prompt)
    assert isinstance(choice.store, Vault)
    assert prompt.asked[0] == (VaultAction.UNLOCK, None)
    assert prompt.asked[1][1] is not None
    assert "Wrong master password" in prompt.asked[1][1]


async def test_declining_means_no_store_never_plaintext(profile: Profile) -> None:
    choice = await choose_store("ns", profile.vault_path, ScriptedPrompt(None), prefer_vault=True)
    assert choice.store is None
    assert "cannot be saved" in choice.message
    with pytest.raises(SecretStoreError, match="plain text"):
        await NoStore().set("x", Secret("tdtest-never-written"))
    assert not profile.vault_path.exists()
