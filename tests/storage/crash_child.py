"""Child process of the SIGKILL trials (tests/storage/reliability.run_crash_trials): keeps new
secrets, rotates and deletes held ones, in a loop, until it is killed.

Around every change it prints `BEGIN <op> <credential id> <secret ref> <digest>` and, once the
change returned, the same line with `DONE` (op: new, rotate or delete; digest `-` for a delete).
Half the secrets are long (split into parts in the keyring).

    python -m tests.storage.crash_child PROFILE_DIR (vault | keyring:NAMESPACE) SEED
    (the vault's master password on the first line of stdin)
"""

from __future__ import annotations

import asyncio
import random
import sys
import uuid
from pathlib import Path

from tests.storage.reliability import digest, make_value
from tokendeck.core.models import Credential, CredentialKind
from tokendeck.core.secret import Secret
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.catalog import new_id
from tokendeck.storage.keyring_store import KeyringStore
from tokendeck.storage.secret_keeper import SecretKeeper
from tokendeck.storage.secret_store import SecretStore
from tokendeck.storage.vault import Vault

POPULATION = 12


async def main(profile: Path, store_arg: str, seed: int, password: str) -> None:
    catalog = await AsyncCatalog.open(profile / "catalog.sqlite3")
    store: SecretStore
    if store_arg == "vault":
        store = await Vault.unlock(profile / "vault.tdvault", Secret(password))
    else:
        store = KeyringStore(store_arg.removeprefix("keyring:"))
    keeper = SecretKeeper(catalog, store)
    held = await catalog.list_credentials()
    rng = random.Random(seed)
    print("READY", flush=True)
    while True:
        roll = rng.random()
        value = make_value(rng, long_share=0.5)
        if not held or (len(held) < POPULATION and roll < 0.4):
            credential = Credential(
                id=new_id(),
                kind=CredentialKind.API_KEY,
                label=f"key-{rng.randrange(10**6)}",
                secret_ref=str(uuid.uuid4()),
            )
            line = f"new {credential.id} {credential.secret_ref} {digest(value)}"
            print("BEGIN", line, flush=True)
            held.append(await keeper.keep_new_secret(credential, Secret(value)))
        elif roll < 0.85:
            credential = rng.choice(held)
            line = f"rotate {credential.id} {credential.secret_ref} {digest(value)}"
            print("BEGIN", line, flush=True)
            await keeper.replace_secret(credential, Secret(value))
        else:
            credential = held.pop(rng.randrange(len(held)))
            line = f"delete {credential.id} {credential.secret_ref} -"
            print("BEGIN", line, flush=True)
            await keeper.forget(credential)
        print("DONE", line, flush=True)


if __name__ == "__main__":
    asyncio.run(
        main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.stdin.readline().strip())
    )
