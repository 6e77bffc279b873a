from __future__ import annotations

import json

import keyring
import keyring.backends.null
import pytest

from tests.conftest import need_secret_service
from tests.storage.conftest import FAST_SCRYPT
from tests.storage.memory_keyring import MemoryKeyring, mem, private_keyring_lock
from tokendeck.core.secret import Secret
from tokendeck.services.store_choice import (
    PASSWORD_TRIES,
    NoStore,
    StoreChoice,
    VaultAction,
    choose_store,
)
from tokendeck.storage.keyring_store import KeyringStore
from tokendeck.storage.profile import Profile
from tokendeck.storage.secret_store import MemoryStore, SecretStoreError
from tokendeck.storage.vault import Vault

__all__ = ["mem", "private_keyring_lock"]  # fixtures


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


# -- each way the choice can go, with the words the user sees ----------------------------------


async def test_a_demo_profile_keeps_secrets_in_memory_without_asking(profile: Profile) -> None:
    prompt = ScriptedPrompt()
    choice = await choose_store("ns", profile.vault_path, prompt, memory=True)
    assert isinstance(choice.store, MemoryStore)
    assert choice.message == "Demo profile: secrets are kept in memory only."
    assert prompt.asked == []
    assert not profile.vault_path.exists()


async def test_a_working_keyring_is_probed_and_used_under_the_profile_namespace(
    mem: MemoryKeyring, profile: Profile
) -> None:
    choice = await choose_store("ns-1", profile.vault_path, ScriptedPrompt())
    assert isinstance(choice.store, KeyringStore)
    module = MemoryKeyring.__module__.rsplit(".", 1)[-1]
    assert choice.message == f"System keyring works ({module}.MemoryKeyring)."
    assert [u.split(":")[0] for u in mem.written] == ["ns-1"]
    assert mem.users() == []
    await choice.store.set("r", Secret("tdtest-value"))
    assert mem.users() == ["ns-1:r"]
    await choice.store.aclose()


async def test_an_unusable_keyring_falls_back_to_the_vault_and_says_why(
    profile: Profile,
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.null.Keyring())
    try:
        prompt = ScriptedPrompt(None)
        reasons: list[str] = []
        original = prompt.ask_password

        async def ask(action: VaultAction, reason: str, error: str | None) -> Secret | None:
            reasons.append(reason)
            return await original(action, reason, error)

        prompt.ask_password = ask  # type: ignore[method-assign]
        choice = await choose_store("ns", profile.vault_path, prompt)
    finally:
        keyring.set_keyring(previous)
    why = "No secure system keyring is available (backend: null.Keyring)."
    assert reasons == [why]
    assert prompt.asked == [(VaultAction.CREATE, None)]
    assert choice == StoreChoice(None, f"{why} No secret store is open: secrets cannot be saved.")


async def test_a_chosen_vault_is_created_with_the_given_parameters_and_said_so(
    mem: MemoryKeyring, profile: Profile
) -> None:
    prompt = ScriptedPrompt("short", "correct horse battery")
    choice = await choose_store(
        "ns", profile.vault_path, prompt, prefer_vault=True, vault_params=FAST_SCRYPT
    )
    assert isinstance(choice.store, Vault)
    assert choice.message == "You chose the encrypted vault. Using the encrypted vault."
    assert prompt.asked == [
        (VaultAction.CREATE, None),
        (VaultAction.CREATE, "Choose a master password of at least 8 characters."),
    ]
    assert json.loads(profile.vault_path.read_bytes())["kdf"]["n"] == FAST_SCRYPT.n
    assert mem.written == [], "the keyring is not probed when the vault was chosen"
    await choice.store.aclose()


async def test_an_existing_vault_is_unlocked_without_probing_the_keyring(
    mem: MemoryKeyring, profile: Profile
) -> None:
    made = await Vault.create(profile.vault_path, Secret("correct horse battery"), FAST_SCRYPT)
    await made.aclose()
    reasons: list[str] = []
    prompt = ScriptedPrompt("correct horse battery")
    original = prompt.ask_password

    async def ask(action: VaultAction, reason: str, error: str | None) -> Secret | None:
        reasons.append(reason)
        return await original(action, reason, error)

    prompt.ask_password = ask  # type: ignore[method-assign]
    choice = await choose_store("ns", profile.vault_path, prompt)
    assert isinstance(choice.store, Vault)
    assert reasons == ["You chose the encrypted vault."]
    assert prompt.asked == [(VaultAction.UNLOCK, None)]
    assert mem.written == []
    await choice.store.aclose()


async def test_creating_gives_up_after_the_allowed_number_of_refused_passwords(
    profile: Profile,
) -> None:
    prompt = ScriptedPrompt(*["short"] * PASSWORD_TRIES)
    choice = await choose_store(
        "ns", profile.vault_path, prompt, prefer_vault=True, vault_params=FAST_SCRYPT
    )
    assert choice == StoreChoice(None, "Too many wrong passwords: no secret store is open.")
    assert len(prompt.asked) == PASSWORD_TRIES
    assert not profile.vault_path.exists()


async def test_unlocking_gives_up_after_the_allowed_number_of_wrong_passwords(
    profile: Profile,
) -> None:
    made = await Vault.create(profile.vault_path, Secret("correct horse battery"), FAST_SCRYPT)
    await made.aclose()
    prompt = ScriptedPrompt(*["wrong password!"] * PASSWORD_TRIES)
    choice = await choose_store("ns", profile.vault_path, prompt)
    assert choice == StoreChoice(None, "Too many wrong passwords: no secret store is open.")
    assert len(prompt.asked) == PASSWORD_TRIES


async def test_a_damaged_vault_is_reported_at_once_not_asked_again(profile: Profile) -> None:
    profile.vault_path.write_bytes(b"not a vault at all")
    prompt = ScriptedPrompt("correct horse battery", "correct horse battery")
    choice = await choose_store("ns", profile.vault_path, prompt)
    assert choice.store is None
    with pytest.raises(SecretStoreError) as info:
        await Vault.unlock(profile.vault_path, Secret("correct horse battery"))
    assert choice.message == str(info.value)
    assert prompt.asked == [(VaultAction.UNLOCK, None)]
