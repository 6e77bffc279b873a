"""Child process of the disk-full scenarios (tests/storage/reliability): adds 3,000-character
secrets to a vault (and now and then deletes one) until its disk or file size limit runs out.

    fill DIR ATTEMPTS LIMIT   the vault exists in DIR; no file of this process may exceed LIMIT
                              bytes (RLIMIT_FSIZE, with SIGXFSZ ignored: short writes, EFBIG)
    tmpfs DIR ATTEMPTS        DIR is a small tmpfs: create the vault there, fill it (ENOSPC),
                              then unlock it afresh from the disk and check every change

Prints `SAVED <ref> <digest>`, `DELETED <ref> -` or `REFUSED <error class>: <message>` per
change; the tmpfs mode then prints `LOST ...` per change not found and `VERIFIED`.
(The vault's master password on the first line of stdin.)
"""

from __future__ import annotations

import asyncio
import random
import resource
import signal
import sys
from pathlib import Path

from tests.storage.conftest import FAST_SCRYPT
from tests.storage.reliability import check_saved, digest
from tokendeck.core.secret import Secret
from tokendeck.storage.vault import Vault

VALUE_CHARS = 3000


async def fill(vault: Vault, attempts: int, rng: random.Random) -> dict[str, str]:
    expected: dict[str, str] = {}
    saved: list[str] = []
    for index in range(attempts):
        try:
            if saved and rng.random() < 0.1:
                ref = saved.pop(rng.randrange(len(saved)))
                await vault.delete(ref)
                expected[ref] = "-"
                print("DELETED", ref, "-", flush=True)
            else:
                ref = f"ref-{index}"
                value = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=VALUE_CHARS))
                await vault.set(ref, Secret(value))
                expected[ref] = digest(value)
                saved.append(ref)
                print("SAVED", ref, digest(value), flush=True)
        except Exception as exc:
            print("REFUSED", f"{type(exc).__name__}:", " ".join(str(exc).split()), flush=True)
    return expected


async def main(mode: str, root: Path, attempts: int, limit: int, password: Secret) -> None:
    rng = random.Random(attempts)
    path = root / "vault.tdvault"
    if mode == "fill":
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        vault = await Vault.unlock(path, password)
        await fill(vault, attempts, rng)
        return
    vault = await Vault.create(path, password, FAST_SCRYPT)
    expected = await fill(vault, attempts, rng)
    await vault.aclose()
    again = await Vault.unlock(path, password)
    if again.recovered:
        print("RECOVERED", flush=True)
    for line in await check_saved(again, expected):
        print(line, flush=True)
    print("VERIFIED", len(expected), flush=True)


if __name__ == "__main__":
    mode = sys.argv[1]
    asyncio.run(
        main(
            mode,
            Path(sys.argv[2]),
            int(sys.argv[3]),
            int(sys.argv[4]) if mode == "fill" else 0,
            Secret(sys.stdin.readline().strip()),
        )
    )
