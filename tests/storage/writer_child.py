"""A `tokendeck token`-like writer process for the reliability scenarios (tests/storage/reliability).

Starts the services as `tokendeck token` does (catalog, store choice, reconcile), prints READY,
waits for GO on stdin, then makes its share of changes and prints one line per change.

    python -m tests.storage.writer_child PROFILE_DIR ACTOR OPERATIONS SEED SHARED_IDS_JSON
    (the vault's master password on the first line of stdin)
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from pathlib import Path

from tests.storage.reliability import ScriptedPrompt, act
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import resolve_profile


async def main(root: Path, actor: str, operations: int, seed: int, shared_ids: list[str]) -> None:
    password = sys.stdin.readline().strip()
    profile = resolve_profile(root)
    services = await AppServices.start(
        profile.catalog_path, profile.vault_path, ScriptedPrompt(password)
    )
    try:
        shared = []
        for cred_id in shared_ids:
            credential = await services.catalog.get_credential(cred_id)
            assert credential is not None
            shared.append(credential)
        print("READY", services.store.description, flush=True)
        await asyncio.to_thread(sys.stdin.readline)  # GO
        await act(
            services.keeper,
            actor,
            operations,
            random.Random(seed),
            shared,
            lambda line: print(line, flush=True),
        )
    finally:
        await services.aclose()


if __name__ == "__main__":
    asyncio.run(
        main(
            Path(sys.argv[1]),
            sys.argv[2],
            int(sys.argv[3]),
            int(sys.argv[4]),
            json.loads(sys.argv[5]),
        )
    )
