"""One contract, three stores: memory, the encrypted vault, and the real system keyring."""

from __future__ import annotations

from collections.abc import Callable

from tokendeck.core.secret import Secret
from tokendeck.storage.secret_store import SecretStore


async def test_roundtrip_overwrite_delete(
    store: SecretStore, secret_factory: Callable[[int], Secret]
) -> None:
    first, second = secret_factory(40), secret_factory(40)
    assert await store.get("ref-a") is None
    await store.set("ref-a", first)
    assert await store.get("ref-a") == first
    await store.set("ref-a", second)
    assert await store.get("ref-a") == second
    await store.delete("ref-a")
    assert await store.get("ref-a") is None
    await store.delete("ref-a")


async def test_entries_are_independent(
    store: SecretStore, secret_factory: Callable[[int], Secret]
) -> None:
    values = {f"ref-{i}": secret_factory(30) for i in range(5)}
    for ref, value in values.items():
        await store.set(ref, value)
    await store.delete("ref-2")
    for ref, value in values.items():
        assert await store.get(ref) == (None if ref == "ref-2" else value)
    for ref in values:
        await store.delete(ref)


async def test_long_secret_beyond_the_windows_limit(
    store: SecretStore, secret_factory: Callable[[int], Secret]
) -> None:
    long = secret_factory(5000)
    await store.set("long", long)
    assert await store.get("long") == long
    short = secret_factory(20)
    await store.set("long", short)
    assert await store.get("long") == short
    await store.delete("long")
    assert await store.get("long") is None


async def test_unicode_and_edge_values(store: SecretStore) -> None:
    for value in ("pässwörd-✓-密码", "x", "td1:looks-like-our-prefix", " spaces around "):
        await store.set("edge", Secret(value))
        got = await store.get("edge")
        assert got is not None
        assert got.reveal() == value
    await store.delete("edge")


async def test_description_names_the_store(store: SecretStore) -> None:
    assert store.description
