"""Child process of test_crash: keeps new secrets in a loop until it is killed.

After each `keep_new_secret` returns, prints `DONE <credential id> <sha256 of the secret>`.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import sys
from pathlib import Path

from tokendeck.core.models import Credential, CredentialKind
from tokendeck.core.secret import Secret
from tokendeck.storage.catalog import AsyncCatalog
from tokendeck.storage.keyring_store import KeyringStore
from tokendeck.storage.secret_keeper import SecretKeeper
from tokendeck.storage.secret_store import SecretStore
from tokendeck.storage.vault import Vault


async def main(profile: Path, store_kind: str, password: str) -> None:
    catalog = await AsyncCatalog.open(profile / "catalog.sqlite3")
    store: SecretStore
    if store_kind == "vault":
        store = await Vault.unlock(profile / "vault.tdvault", Secret(password))
    else:
        store = KeyringStore(store_kind)
    keeper = SecretKeeper(catalog, store)
    print("READY", flush=True)
    while True:
        value = Secret("tdtest-" + secrets.token_urlsafe(48))
        credential = Credential(
            id="", kind=CredentialKind.API_KEY, label=f"key-{secrets.token_hex(3)}"
        )
        stored = await keeper.keep_new_secret(credential, value)
        digest = hashlib.sha256(value.reveal().encode()).hexdigest()
        print(f"DONE {stored.id} {digest}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2], sys.stdin.readline().strip()))
