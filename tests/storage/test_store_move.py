"""Moving every held secret to the other kind of store: opening the target (keyring after a real
probe, vault created or unlocked), then moving the secrets and the key-id key, closing the old
store and telling the window."""

from __future__ import annotations

import json
from dataclasses import dataclass

import keyring
import keyring.backends.null
import pytest

from tests.storage.conftest import FAST_SCRYPT
from tests.storage.memory_keyring import MemoryKeyring, mem, private_keyring_lock
from tokendeck.core.models import Credential, CredentialKind
from tokendeck.core.secret import Secret
from tokendeck.core.store_status import StoreKind, StoreStatus
from tokendeck.services.events import EventBus, StoreChanged
from tokendeck.services.key_ids import ID_KEY_REF
from tokendeck.services.store_choice import PASSWORD_TRIES, VaultAction
from tokendeck.services.store_move import move_secrets, open_target
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.keyring_store import KeyringStore
from tokendeck.storage.profile import Profile
from tokendeck.storage.secret_keeper import SecretKeeper
from tokendeck.storage.secret_store import MemoryStore, SecretAbout, SecretStoreError
from tokendeck.storage.vault import Vault

__all__ = ["mem", "private_keyring_lock"]  # fixtures

REASON = "Move your secrets into the encrypted vault."


@dataclass
class Services:
    """The parts of AppServices a move uses."""

    catalog: AsyncCatalog
    keeper: SecretKeeper
    bus: EventBus


class Prompt:
    def __init__(self, *answers: str | None) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[VaultAction, str, str | None]] = []

    async def ask_password(
        self, action: VaultAction, reason: str, error: str | None
    ) -> Secret | None:
        self.asked.append((action, reason, error))
        answer = self.answers.pop(0)
        return None if answer is None else Secret(answer)


def _services(catalog: AsyncCatalog, store: MemoryStore | None = None) -> Services:
    return Services(catalog, SecretKeeper(catalog, store or MemoryStore()), EventBus())


async def test_the_keyring_target_is_probed_and_kept_under_the_profile_namespace(
    mem: MemoryKeyring, catalog: AsyncCatalog, profile: Profile
) -> None:
    namespace = catalog._sync.namespace()
    target = await open_target(_services(catalog), "keyring", profile.vault_path, Prompt())
    assert isinstance(target, KeyringStore)
    assert [u.split(":")[0] for u in mem.written] == [namespace]
    await target.set("r", Secret("tdtest-value"))
    assert mem.users() == [f"{namespace}:r"]
    await target.aclose()


async def test_an_unusable_keyring_target_is_refused_with_the_probes_reason(
    catalog: AsyncCatalog, profile: Profile
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.null.Keyring())
    try:
        with pytest.raises(SecretStoreError) as info:
            await open_target(_services(catalog), "keyring", profile.vault_path, Prompt())
    finally:
        keyring.set_keyring(previous)
    assert str(info.value) == "No secure system keyring is available (backend: null.Keyring)."


async def test_a_vault_target_is_created_with_the_given_parameters(
    mem: MemoryKeyring, catalog: AsyncCatalog, profile: Profile
) -> None:
    prompt = Prompt("correct horse battery")
    target = await open_target(_services(catalog), "vault", profile.vault_path, prompt, FAST_SCRYPT)
    assert isinstance(target, Vault)
    assert prompt.asked == [(VaultAction.CREATE, REASON, None)]
    assert json.loads(profile.vault_path.read_bytes())["kdf"]["n"] == FAST_SCRYPT.n
    assert mem.written == []
    await target.aclose()


async def test_a_refused_new_vault_password_is_said_and_asked_again(
    catalog: AsyncCatalog, profile: Profile
) -> None:
    """As at start-up (one password loop: store_choice.open_vault): the reason is given at the
    next ask, and a good password then creates the vault."""
    prompt = Prompt("short", "correct horse battery")
    target = await open_target(_services(catalog), "vault", profile.vault_path, prompt, FAST_SCRYPT)
    assert isinstance(target, Vault)
    assert [e for _, _, e in prompt.asked] == [
        None,
        "Choose a master password of at least 8 characters.",
    ]
    await target.aclose()


async def test_an_existing_vault_target_is_unlocked_after_a_wrong_password(
    catalog: AsyncCatalog, profile: Profile
) -> None:
    made = await Vault.create(profile.vault_path, Secret("correct horse battery"), FAST_SCRYPT)
    await made.set("kept", Secret("tdtest-kept"))
    await made.aclose()
    prompt = Prompt("wrong password!", "correct horse battery")
    target = await open_target(_services(catalog), "vault", profile.vault_path, prompt)
    assert isinstance(target, Vault)
    assert await target.get("kept") == Secret("tdtest-kept")
    assert [(a, r) for a, r, _ in prompt.asked] == [(VaultAction.UNLOCK, REASON)] * 2
    assert prompt.asked[0][2] is None
    assert prompt.asked[1][2] is not None
    assert prompt.asked[1][2].startswith("Wrong master password")
    await target.aclose()


async def test_declining_the_vault_password_opens_no_target(
    catalog: AsyncCatalog, profile: Profile
) -> None:
    prompt = Prompt(None, "correct horse battery")
    assert await open_target(_services(catalog), "vault", profile.vault_path, prompt) is None
    assert len(prompt.asked) == 1
    assert not profile.vault_path.exists()


async def test_too_many_wrong_vault_passwords_open_no_target(
    catalog: AsyncCatalog, profile: Profile
) -> None:
    made = await Vault.create(profile.vault_path, Secret("correct horse battery"), FAST_SCRYPT)
    await made.aclose()
    prompt = Prompt(*["wrong password!"] * PASSWORD_TRIES)
    assert await open_target(_services(catalog), "vault", profile.vault_path, prompt) is None
    assert len(prompt.asked) == PASSWORD_TRIES


async def test_moving_carries_every_secret_and_the_key_id_key_then_closes_the_old_store(
    catalog: AsyncCatalog,
) -> None:
    old, target = MemoryStore(), MemoryStore()
    services = _services(catalog, old)
    id_key = Secret("tdtest-id-key")
    await old.set(ID_KEY_REF, id_key)
    values = [Secret(f"tdtest-secret-{i}") for i in range(2)]
    creds = [
        await services.keeper.keep_new_secret(
            Credential(id="", kind=CredentialKind.API_KEY, label=f"k{i}"), value
        )
        for i, value in enumerate(values)
    ]
    await catalog.list_credentials()
    seen: list[StoreChanged] = []
    services.bus.subscribe(StoreChanged, seen.append)
    closed: list[bool] = []
    original = old.aclose

    async def aclose() -> None:
        closed.append(await old.get(ID_KEY_REF) is None)
        await original()

    old.aclose = aclose  # type: ignore[method-assign]
    assert await move_secrets(services, target) == 2  # type: ignore[arg-type]
    assert await target.get(ID_KEY_REF) == id_key
    for cred, value in zip(creds, values, strict=True):
        assert await target.get(cred.secret_ref or "") == value
    assert closed == [True], "the old store loses the key-id key, then is closed"
    assert old.refs() == []
    assert services.keeper.store is target
    assert seen == [StoreChanged(StoreStatus(StoreKind.MEMORY, "Memory (secrets vanish on quit)"))]


class Forgetful(MemoryStore):
    async def set(self, ref: str, secret: Secret, about: SecretAbout | None = None) -> None:
        await super().set(ref, Secret("tdtest-something-else"))


async def test_a_target_that_loses_the_key_id_key_stops_the_move_before_anything_is_deleted(
    catalog: AsyncCatalog,
) -> None:
    old = MemoryStore()
    services = _services(catalog, old)
    await old.set(ID_KEY_REF, Secret("tdtest-id-key"))
    seen: list[StoreChanged] = []
    services.bus.subscribe(StoreChanged, seen.append)
    with pytest.raises(SecretStoreError):
        await move_secrets(services, Forgetful())  # type: ignore[arg-type]
    assert old.refs() == [ID_KEY_REF]
    assert services.keeper.store is old
    assert seen == []
