"""Storage test fixtures, and the leak guard: after every storage test, each secret it made is
searched for in its profile dir, its log file and every file written to the temp dir during the
test (which includes gnome-keyring's own keyring files): there must be zero hits."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import need_secret_service
from tokendeck.core.secret import Secret
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.keyring_store import KeyringStore
from tokendeck.storage.profile import Profile
from tokendeck.storage.secret_store import MemoryStore, SecretStore
from tokendeck.storage.vault import ScryptParams, Vault

FAST_SCRYPT = ScryptParams(n=2**10, r=8, p=1)
MAX_SCAN_BYTES = 20_000_000


def _scan(paths: list[Path], since: float, needles: list[bytes]) -> list[str]:
    hits = []
    for root in paths:
        files = (
            [root] if root.is_file() else [Path(d) / f for d, _, fs in os.walk(root) for f in fs]
        )
        for file in files:
            try:
                stat = file.stat()
                if stat.st_mtime < since or stat.st_size > MAX_SCAN_BYTES or not file.is_file():
                    continue
                data = file.read_bytes()
            except OSError:
                continue
            hits += [f"{file}" for needle in needles if needle in data]
    return hits


def _file_system_now() -> float:
    """The time the kernel stamps files with: the scan compares it with mtimes, and the process's
    own clock may be shifted (scripts/test runs the suite under faketime too)."""
    with tempfile.NamedTemporaryFile(prefix="td-now-") as marker:
        return os.fstat(marker.fileno()).st_mtime


@pytest.fixture
def secret_factory(profile: Profile) -> Iterator[Callable[[int], Secret]]:
    made: list[str] = []
    started = _file_system_now() - 1

    def make(length: int = 40) -> Secret:
        value = "tdtest-" + secrets.token_urlsafe(length)[:length]
        made.append(value)
        return Secret(value)

    yield make
    needles = [v.encode() for v in made] + [v.encode("utf-16-le") for v in made]
    hits = _scan([profile.data_dir, Path(tempfile.gettempdir())], started, needles)
    assert hits == [], f"a secret reached disk outside the secret store: {hits}"


@pytest.fixture
async def catalog(profile: Profile) -> AsyncIterator[AsyncCatalog]:
    opened = await AsyncCatalog.open(profile.catalog_path)
    yield opened
    await opened.aclose()


async def make_store(kind: str, profile: Profile) -> SecretStore:
    if kind == "memory":
        return MemoryStore()
    if kind == "vault":
        return await Vault.create(profile.vault_path, Secret("correct horse battery"), FAST_SCRYPT)
    need_secret_service()
    return KeyringStore(f"test-{secrets.token_hex(6)}")


@pytest.fixture(params=["memory", "vault", "keyring"])
async def store(request: pytest.FixtureRequest, profile: Profile) -> AsyncIterator[SecretStore]:
    made = await make_store(request.param, profile)
    yield made
    await made.aclose()
