"""How KeyringStore lays a secret out in keyring entries (heads, parts, digests, leftovers), how it
reads them back and how it fails, judged at the python-keyring boundary: an in-memory backend
that behaves like a real one (a missing entry's delete raises PasswordDeleteError). The real
Secret Service is exercised in test_keyring_store.py; these run in milliseconds."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import re
import threading
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import keyring.errors
import pytest

from tests.storage.memory_keyring import MemoryKeyring, mem, private_keyring_lock, using_keyring
from tokendeck.core.secret import Secret
from tokendeck.storage import keyring_entries, keyring_store, secret_store
from tokendeck.storage.keyring_store import KeyringStore, default_lock_path, probe_keyring
from tokendeck.storage.secret_store import SecretStoreError, StoreBusyError

NS = "ns"
__all__ = ["mem", "private_keyring_lock"]  # fixtures


@pytest.fixture
def lock_path(tmp_path: Path) -> Path:
    return tmp_path / "keyring.lock"


def _store(lock_path: Path, **kwargs: float) -> KeyringStore:
    return KeyringStore(NS, lock_path=lock_path, **kwargs)  # type: ignore[arg-type]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _meta(mem: MemoryKeyring, ref: str) -> dict[str, object]:
    head = mem.entries[f"{NS}:{ref}"]
    assert head.startswith("td2:")
    meta: dict[str, object] = json.loads(head.removeprefix("td2:"))
    return meta


def _distinct(length: int) -> str:
    """A value whose every 1000-unit part differs from the others."""
    return "".join(chr(ord("a") + (i // 1000) % 26) for i in range(length))


# -- layout -------------------------------------------------------------------------------------


async def test_a_short_secret_is_one_head_entry_with_the_plain_prefix(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    store = _store(lock_path)
    await store.set("r", Secret("hunter2"))
    assert mem.entries == {f"{NS}:r": "td1:hunter2"}
    assert await store.get("r") == Secret("hunter2")
    await store.aclose()


async def test_a_long_secret_head_names_its_parts_and_the_sha256_digest_of_each(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    store = _store(lock_path)
    value = _distinct(2600)
    await store.set("big", Secret(value))
    meta = _meta(mem, "big")
    gen = meta["g"]
    assert isinstance(gen, str)
    assert re.fullmatch(r"[0-9a-f]{8}", gen)
    parts = [value[:1000], value[1000:2000], value[2000:]]
    assert meta == {"g": gen, "d": [_digest(p) for p in parts]}
    assert mem.entries[f"{NS}:big"] == 'td2:{{"g":"{}","d":["{}","{}","{}"]}}'.format(
        gen,
        *[_digest(p) for p in parts],
    )
    assert mem.users() == sorted([f"{NS}:big"] + [f"{NS}:big#{gen}.{i}" for i in (1, 2, 3)])
    for index, part in enumerate(parts, start=1):
        assert mem.entries[f"{NS}:big#{gen}.{index}"] == part
    assert await store.get("big") == Secret(value)
    await store.aclose()


UNIT_CASES: list[tuple[str, list[str] | None]] = [
    ("a" * 1000, None),
    ("a" * 1001, ["a" * 1000, "a"]),
    ("é" * 1000, None),
    ("é" * 1001, ["é" * 1000, "é"]),
    ("😀" * 500, None),
    ("😀" * 501, ["😀" * 500, "😀"]),
    ("a" * 999 + "😀b", ["a" * 999, "😀b"]),
    ("a" * 998 + "😀b", ["a" * 998 + "😀", "b"]),
    ("é" * 999 + "😀" + "é" * 999, ["é" * 999, "😀" + "é" * 998, "é"]),
    ("\uffff" * 1001, ["\uffff" * 1000, "\uffff"]),  # the last one-unit character
    ("\U00010000" * 501, ["\U00010000" * 500, "\U00010000"]),  # the first two-unit one
]


async def test_the_windows_limit_counts_utf16_units_and_parts_break_between_characters(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    store = _store(lock_path)
    for value, parts in UNIT_CASES:
        await store.delete("r")
        await store.set("r", Secret(value))
        if parts is None:
            assert mem.entries == {f"{NS}:r": "td1:" + value}
        else:
            meta = _meta(mem, "r")
            stored = [mem.entries[f"{NS}:r#{meta['g']}.{i}"] for i in range(1, len(parts) + 1)]
            assert stored == parts
            assert meta["d"] == [_digest(p) for p in parts]
            assert len(mem.entries) == 1 + len(parts)
        assert await store.get("r") == Secret(value)
    await store.aclose()


async def test_a_long_secret_with_a_lone_surrogate_round_trips(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    store = _store(lock_path)
    value = "x" * 1500 + "\udc80" + "y" * 10
    await store.set("r", Secret(value))
    assert _meta(mem, "r")["d"] == [_digest(value[:1000]), _digest(value[1000:])]
    got = await store.get("r")
    assert got is not None
    assert got.reveal() == value
    await store.aclose()


async def test_every_change_leaves_only_the_current_secrets_entries(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    """After each set the keyring holds the head and the parts it names, nothing of an older
    generation; after delete, nothing at all."""
    store = _store(lock_path)
    for length in (5000, 2600, 30, 3800, 1200, 40, 9000, 9000, 1001):
        value = _distinct(length)
        await store.set("k", Secret(value))
        head = mem.entries[f"{NS}:k"]
        if length <= 1000:
            assert mem.users() == [f"{NS}:k"]
            assert head == "td1:" + value
        else:
            meta = _meta(mem, "k")
            count = -(-length // 1000)
            assert set(meta) == {"g", "d"}, "no leftover is still listed"
            assert mem.users() == sorted(
                [f"{NS}:k"] + [f"{NS}:k#{meta['g']}.{i}" for i in range(1, count + 1)]
            )
        assert await store.get("k") == Secret(value)
    await store.delete("k")
    assert mem.users() == []
    assert await store.get("k") is None
    await store.delete("k")
    assert mem.users() == []
    await store.aclose()


async def test_a_new_generation_never_reuses_the_name_of_the_one_it_replaces(
    mem: MemoryKeyring, lock_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(lock_path)
    names = iter(["0000aaaa", "0000aaaa", "0000aaaa", "0000bbbb"])

    def token_hex(nbytes: int) -> str:
        assert nbytes == 4, "a generation is 4 random bytes"
        return next(names)

    monkeypatch.setattr(keyring_store.secrets, "token_hex", token_hex)
    await store.set("k", Secret(_distinct(1500)))
    second = _distinct(2500)
    await store.set("k", Secret(second))
    assert _meta(mem, "k")["g"] == "0000bbbb"
    assert mem.users() == [f"{NS}:k"] + [f"{NS}:k#0000bbbb.{i}" for i in (1, 2, 3)]
    assert await store.get("k") == Secret(second)
    await store.aclose()


# -- reading what is there ----------------------------------------------------------------------


async def test_a_part_whose_digest_does_not_match_is_damaged_and_a_missing_one_is_missing(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    store = _store(lock_path)
    value = _distinct(3500)
    await store.set("r", Secret(value))
    gen = _meta(mem, "r")["g"]
    for index in (1, 2, 4):
        part = f"{NS}:r#{gen}.{index}"
        original = mem.entries[part]
        mem.entries[part] = original[:-1] + ("#" if original[-1] != "#" else "$")
        with pytest.raises(SecretStoreError) as damaged:
            await store.get("r")
        assert str(damaged.value) == f"Part {index} of a long secret is damaged."
        del mem.entries[part]
        with pytest.raises(SecretStoreError) as missing:
            await store.get("r")
        assert str(missing.value) == f"Part {index} of a long secret is missing."
        mem.entries[part] = original
    assert await store.get("r") == Secret(value)
    await store.aclose()


def _legacy(mem: MemoryKeyring, ref: str, value: str, whole: str | None = None) -> None:
    parts = [value[i : i + 1000] for i in range(0, len(value), 1000)]
    for index, part in enumerate(parts, start=1):
        mem.entries[f"{NS}:{ref}#{index}"] = part
    whole = whole or hashlib.sha256(value.encode()).hexdigest()[:16]
    mem.entries[f"{NS}:{ref}"] = f"td1-chunks:{len(parts)}:{whole}"


async def test_a_secret_split_by_an_earlier_release_is_checked_whole_then_replaced_cleanly(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    store = _store(lock_path)
    value = _distinct(2500)
    _legacy(mem, "old", value)
    assert await store.get("old") == Secret(value)
    _legacy(mem, "torn", value, whole="0" * 16)
    with pytest.raises(SecretStoreError) as torn:
        await store.get("torn")
    assert str(torn.value) == "A long secret's parts do not fit together."
    del mem.entries[f"{NS}:old#3"]
    with pytest.raises(SecretStoreError) as missing:
        await store.get("old")
    assert str(missing.value) == "Part 3 of a long secret is missing."
    mem.entries[f"{NS}:old#3"] = value[2000:]
    await store.set("old", Secret("short now"))
    await store.delete("torn")
    assert mem.entries == {f"{NS}:old": "td1:short now"}
    _legacy(mem, "again", value)
    await store.set("again", Secret(_distinct(1200)))
    assert not [u for u in mem.users() if re.search(r"#\d+$", u)]
    await store.aclose()


async def test_a_head_in_the_newer_form_can_name_parts_of_an_earlier_release(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    store = _store(lock_path)
    value = _distinct(1800)
    whole = hashlib.sha256(value.encode()).hexdigest()[:16]
    mem.entries[f"{NS}:r#1"] = value[:1000]
    mem.entries[f"{NS}:r#2"] = value[1000:]
    mem.entries[f"{NS}:r"] = f'td2:{{"g":"","n":2,"s":"{whole}"}}'
    assert await store.get("r") == Secret(value)
    await store.delete("r")
    assert mem.users() == []
    await store.aclose()


async def test_an_entry_written_without_any_prefix_is_read_as_the_secret_itself(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    store = _store(lock_path)
    mem.entries[f"{NS}:r"] = "typed by hand"
    assert await store.get("r") == Secret("typed by hand")
    mem.entries[f"{NS}:r"] = 'td2:{"x":[["0123abcd",2]]}\ntd2:{"g":"x"}'
    assert await store.get("r") == Secret('td2:{"g":"x"}')
    for value in ('td2:{"g":"0123abcd","d":[]}', "td1:x", "td1-chunks:2:ab"):
        await store.set("q", Secret(value))
        assert await store.get("q") == Secret(value)
    await store.aclose()


async def test_a_tombstone_head_reads_as_absent(mem: MemoryKeyring, lock_path: Path) -> None:
    store = _store(lock_path)
    mem.entries[f"{NS}:r"] = 'td2:{"x":[["0123abcd",2]]}'
    assert await store.get("r") is None
    await store.aclose()


D = "0123456789abcdef"
DAMAGED_HEADS = [
    "td2:[1]",
    "td2:{",
    "td2:" + "[" * 100_000,
    f'td2:{{"g":"zzzzzzzz","d":["{D}"]}}',
    f'td2:{{"g":"0123ABCD","d":["{D}"]}}',
    f'td2:{{"g":"0123abcd0","d":["{D}"]}}',
    f'td2:{{"g":"x0123abcd","d":["{D}"]}}',
    f'td2:{{"g":5,"d":["{D}"]}}',
    'td2:{"g":"0123abcd"}',
    'td2:{"g":"0123abcd","d":[]}',
    f'td2:{{"g":"0123abcd","d":"{D}"}}',
    f'td2:{{"g":"0123abcd","d":["{D}0"]}}',
    f'td2:{{"g":"0123abcd","d":["0{D}"]}}',
    f'td2:{{"g":"0123abcd","d":["{D.upper()}"]}}',
    'td2:{"g":"0123abcd","d":[7]}',
    f'td2:{{"g":"0123abcd","d":["{D}"]}}\nvalue',
    'td2:{"g":"","n":2}',
    f'td2:{{"g":"","s":"{D}"}}',
    'td2:{"g":"","n":2,"s":5}',
    f'td2:{{"g":"","n":0,"s":"{D}"}}',
    f'td2:{{"g":"","n":1001,"s":"{D}"}}',
    f'td2:{{"g":"","n":true,"s":"{D}"}}',
    f'td2:{{"g":"","n":"2","s":"{D}"}}',
    'td2:{"x":[["0123abcd",0]]}',
    'td2:{"x":[["0123abcd",1001]]}',
    'td2:{"x":[["0123abcd",true]]}',
    'td2:{"x":[["0123abcd",2.0]]}',
    'td2:{"x":[["zz",2]]}',
    'td2:{"x":[["0123abcd",2,3]]}',
    'td2:{"x":[5]}',
    f"td1-chunks:two:{D}",
    "td1-chunks:2",
    f"td1-chunks:0:{D}",
    f"td1-chunks:1001:{D}",
]


async def test_a_damaged_head_is_an_error_on_read_and_is_replaced_on_write(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    store = _store(lock_path)
    for raw in DAMAGED_HEADS:
        mem.entries[f"{NS}:r"] = raw
        with pytest.raises(SecretStoreError) as info:
            await store.get("r")
        assert str(info.value) == "The keyring entry of this secret is damaged.", raw
        await store.set("r", Secret("fresh"))
        assert mem.entries == {f"{NS}:r": "td1:fresh"}, raw
        mem.entries[f"{NS}:r"] = raw
        await store.delete("r")
        assert mem.users() == [], raw
    await store.aclose()


@pytest.mark.parametrize(
    "raw",
    [
        'td2:{"x":[["0123abcd",1000]]}',
        'td2:{"x":[["",2]]}',
        f'td2:{{"g":"0123abcd","d":["{D}"],"x":[["",1]]}}',
        f"td1-chunks:1000:{D}",
    ],
)
async def test_the_largest_counts_and_earlier_release_leftovers_are_not_damage(
    mem: MemoryKeyring, lock_path: Path, raw: str
) -> None:
    store = _store(lock_path)
    mem.entries[f"{NS}:r"] = raw
    try:
        got = await store.get("r")
    except SecretStoreError as exc:
        assert "damaged" not in str(exc)
        assert "missing" in str(exc)
    else:
        assert got is None
    await store.aclose()


async def test_leftovers_a_head_lists_are_deleted_by_the_next_change_even_if_never_written(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    store = _store(lock_path)
    for finish in ("set-short", "set-long", "delete"):
        mem.entries.clear()
        mem.entries[f"{NS}:r"] = 'td2:{"x":[["0123abcd",3],["",2]]}\nstill here'
        mem.entries[f"{NS}:r#0123abcd.1"] = "stray"
        mem.entries[f"{NS}:r#0123abcd.3"] = "stray"
        mem.entries[f"{NS}:r#2"] = "stray"
        mem.entries[f"{NS}:other#0123abcd.2"] = "not ours"
        assert await store.get("r") == Secret("still here")
        if finish == "set-short":
            await store.set("r", Secret("new"))
            assert mem.users() == [f"{NS}:other#0123abcd.2", f"{NS}:r"]
        elif finish == "set-long":
            await store.set("r", Secret(_distinct(1500)))
            gen = _meta(mem, "r")["g"]
            assert mem.users() == [f"{NS}:other#0123abcd.2", f"{NS}:r"] + [
                f"{NS}:r#{gen}.{i}" for i in (1, 2)
            ]
        else:
            await store.delete("r")
            assert mem.users() == [f"{NS}:other#0123abcd.2"]
    await store.aclose()


async def test_a_secret_just_too_long_for_the_head_is_refused_before_anything_is_written(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    """65 parts of digests fit a head of 1,270 UTF-16 units, 66 do not; replacing a long secret
    also lists the old generation in the head, so then 65 do not fit either."""
    store = _store(lock_path)
    await store.set("r", Secret(_distinct(65_000)))
    assert len(_meta(mem, "r")["d"]) == 65  # type: ignore[arg-type]
    await store.delete("r")
    with pytest.raises(SecretStoreError) as info:
        await store.set("r", Secret(_distinct(65_001)))
    assert str(info.value) == ("This secret is too long for the system keyring (65001 characters).")
    assert mem.users() == []
    old = _distinct(2500)
    await store.set("r", Secret(old))
    before = dict(mem.entries)
    with pytest.raises(SecretStoreError, match="too long"):
        await store.set("r", Secret(_distinct(65_000)))
    assert mem.entries == before
    assert await store.get("r") == Secret(old)
    await store.set("r", Secret(_distinct(64_000)))
    assert len(mem.entries) == 65
    await store.aclose()


# -- a crash between any two steps --------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (None, 2600),
        (None, 40),
        (40, 2600),
        (40, 50),
        (2600, 3700),
        (3700, 2600),
        (2600, 40),
        (2600, None),
        (40, None),
        ("legacy", 2600),
        ("legacy", 40),
        ("legacy", None),
        ("leftover", 2600),
        ("leftover", None),
    ],
)
async def test_a_crash_at_any_step_leaves_the_old_or_the_new_secret_and_no_stray_piece(
    mem: MemoryKeyring, lock_path: Path, before: int | str | None, after: int | None
) -> None:
    steps = 1
    while True:
        mem.entries.clear()
        mem.cut_at = None
        store = _store(lock_path)
        old: Secret | None = None
        if before == "legacy":
            old = Secret(_distinct(2500))
            _legacy(mem, "r", old.reveal())
        elif before == "leftover":
            old = Secret("kept")
            mem.entries[f"{NS}:r"] = 'td2:{"x":[["0123abcd",2]]}\nkept'
            mem.entries[f"{NS}:r#0123abcd.2"] = "stray"
        elif isinstance(before, int):
            old = Secret(_distinct(before).upper())
            await store.set("r", old)
        new = Secret(_distinct(after)) if after else None
        mem.changes, mem.cut_at = 0, steps
        try:
            if new is None:
                await store.delete("r")
            else:
                await store.set("r", new)
            finished = True
        except SecretStoreError:
            finished = False
        mem.cut_at = None
        seen = await store.get("r")
        assert seen in ((old, new) if not finished else (new,)), f"crash at change {steps}"
        await store.delete("r")
        assert mem.users() == [], f"leftovers after a crash at change {steps}"
        await store.aclose()
        if finished:
            break
        steps += 1
    assert steps > 1


# -- the worker, the lock, the errors -----------------------------------------------------------


async def test_description_names_the_backend_once_loaded(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    store = _store(lock_path)
    await store.get("r")
    module = MemoryKeyring.__module__.rsplit(".", 1)[-1]
    assert store.description == f"System keyring ({module})"
    await store.aclose()


async def test_a_closed_store_says_so(mem: MemoryKeyring, lock_path: Path) -> None:
    store = _store(lock_path)
    await store.aclose()
    with pytest.raises(SecretStoreError) as info:
        await store.get("r")
    assert str(info.value) == "The keyring store is closed: could not read a secret."


class _Failing(MemoryKeyring):
    def __init__(self, exc: Exception) -> None:
        super().__init__()
        self.exc = exc

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.exc


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (
            keyring.errors.KeyringLocked("locked"),
            "The system keyring is locked: unlock it, then try to store a secret again.",
        ),
        (keyring.errors.InitError("no"), "No usable system keyring was found."),
        (keyring.errors.NoKeyringError("no"), "No usable system keyring was found."),
        (
            keyring.errors.PasswordSetError("Prompt dismissed"),
            "The system keyring refused to store a secret (PasswordSetError: Prompt dismissed).",
        ),
        (
            ValueError("v" * 300),
            "The system keyring refused to store a secret (ValueError: " + "v" * 200 + ").",
        ),
    ],
)
async def test_a_backend_failure_is_explained_in_words(
    lock_path: Path, exc: Exception, message: str
) -> None:
    with using_keyring(_Failing(exc)):
        store = _store(lock_path)
        with pytest.raises(SecretStoreError) as info:
            await store.set("r", Secret("tdtest-value"))
        assert str(info.value) == message
        await store.aclose()


async def test_a_secret_in_a_backend_error_is_masked(mem: MemoryKeyring, lock_path: Path) -> None:
    value = Secret("tdtest-shown-by-the-backend-0123456789")
    with using_keyring(_Failing(RuntimeError(f"cannot store {value.reveal()}"))):
        store = _store(lock_path)
        with pytest.raises(SecretStoreError) as info:
            await store.set("r", value)
        assert value.reveal() not in str(info.value)
        assert str(info.value).startswith("The system keyring refused to store a secret (")
        await store.aclose()


class _Hanging(MemoryKeyring):
    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(10)
        return None


async def test_a_keyring_that_does_not_answer_times_out_and_names_the_action(
    lock_path: Path,
) -> None:
    hanging = _Hanging()
    previous = keyring.get_keyring()
    keyring.set_keyring(hanging)
    try:
        store = _store(lock_path, timeout=0.6)
        with pytest.raises(SecretStoreError) as info:
            await store.get("r")
        assert str(info.value) == (
            "The system keyring did not answer within 1 s while trying to read a secret. "
            "It may be locked or waiting for an unlock prompt."
        )
    finally:
        hanging.release.set()
        keyring.set_keyring(previous)
    await store.aclose()


def _hold(lock_path: Path, shared: bool) -> int:
    import fcntl
    import os

    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
    return fd


def _let_go(fd: int) -> None:
    import fcntl
    import os

    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


async def test_reads_share_the_lock_and_changes_take_it_alone(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    store = _store(lock_path, timeout=5, lock_timeout=0.2)
    await store.set("r", Secret("v1"))
    reader = _hold(lock_path, shared=True)  # another process reading
    try:
        assert await store.get("r") == Secret("v1")
        with pytest.raises(StoreBusyError) as busy:
            await store.set("r", Secret("v2"))
        assert str(busy.value) == (
            "The system keyring is busy: another TokenDeck process kept it locked for more "
            "than 0 s. Nothing was changed; try again."
        )
        with pytest.raises(StoreBusyError):
            await store.delete("r")
    finally:
        _let_go(reader)
    writer = _hold(lock_path, shared=False)  # another process changing
    try:
        with pytest.raises(StoreBusyError):
            await store.get("r")
    finally:
        _let_go(writer)
    assert await store.get("r") == Secret("v1")
    await store.aclose()


async def test_a_change_given_up_while_waiting_for_the_lock_never_lands(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    store = _store(lock_path, timeout=0.2, lock_timeout=0.2)
    assert await store.get("r") is None
    writer = _hold(lock_path, shared=False)
    stuck = threading.Event()
    store._executor.submit(stuck.wait, 10)  # this store's worker is busy with an earlier call
    try:
        with pytest.raises(SecretStoreError) as info:
            await store.set("r", Secret("tdtest-late"))
        assert str(info.value).startswith("The system keyring did not answer within 0 s while")
    finally:
        _let_go(writer)
        stuck.set()
    # The worker runs calls in order: once this one ran, the abandoned write has had its turn.
    await asyncio.wrap_future(store._executor.submit(lambda: None))
    assert mem.users() == []
    assert await store.get("r") is None
    await store.aclose()


# -- the probe ----------------------------------------------------------------------------------


async def test_the_probe_writes_reads_and_deletes_and_names_the_backend(
    mem: MemoryKeyring,
) -> None:
    ok, message = await probe_keyring("p")
    module = MemoryKeyring.__module__.rsplit(".", 1)[-1]
    assert (ok, message) == (True, f"System keyring works ({module}.MemoryKeyring).")
    assert mem.users() == []
    assert mem.changes == 2
    # One throw-away entry under the namespace, holding 24 random bytes (32 characters).
    assert len(mem.written) == 1
    assert re.fullmatch(r"p:probe-[0-9a-f]{16}", mem.written[0])
    assert len(mem.passwords[0]) == len("td1:") + 32


async def test_the_probe_gives_the_keyring_its_own_time_budget(lock_path: Path) -> None:
    hanging = _Hanging()
    previous = keyring.get_keyring()
    keyring.set_keyring(hanging)
    try:
        ok, message = await probe_keyring("p", timeout=0.6)
    finally:
        hanging.release.set()
        keyring.set_keyring(previous)
    assert (ok, message) == (
        False,
        "The system keyring did not answer within 1 s while trying to store a secret. "
        "It may be locked or waiting for an unlock prompt.",
    )


async def test_the_probe_names_a_backend_from_a_top_level_module() -> None:
    refused = type("PlaintextKeyring", (MemoryKeyring,), {"__module__": "plainbackend"})
    with using_keyring(refused()):
        ok, message = await probe_keyring("p")
    assert (ok, message) == (
        False,
        "No secure system keyring is available (backend: plainbackend.PlaintextKeyring).",
    )


class PlaintextKeyring(MemoryKeyring):
    pass


@pytest.mark.parametrize(
    "backend",
    [
        keyring.backends.fail.Keyring,
        keyring.backends.null.Keyring,
        PlaintextKeyring,
        keyring.backends.chainer.ChainerBackend,
    ],
)
async def test_the_probe_refuses_backends_that_keep_nothing_or_keep_it_in_clear(
    backend: type[keyring.backend.KeyringBackend],
) -> None:
    chosen = backend()
    with using_keyring(chosen):
        ok, message = await probe_keyring("p")
    name = f"{type(chosen).__module__.rsplit('.', 1)[-1]}.{type(chosen).__name__}"
    assert (ok, message) == (False, f"No secure system keyring is available (backend: {name}).")
    if isinstance(chosen, MemoryKeyring):
        assert chosen.changes == 0


class _Forgetful(MemoryKeyring):
    """Says yes and keeps something else."""

    def get_password(self, service: str, username: str) -> str | None:
        return None if username not in self.entries else "td1:something else"


class _Undeletable(MemoryKeyring):
    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError("kept")


@pytest.mark.parametrize("backend", [_Forgetful, _Undeletable])
async def test_the_probe_fails_when_the_keyring_does_not_give_back_what_was_stored(
    backend: type[MemoryKeyring],
) -> None:
    with using_keyring(backend()):
        ok, message = await probe_keyring("p")
    module = backend.__module__.rsplit(".", 1)[-1]
    assert (ok, message) == (
        False,
        f"The system keyring ({module}.{backend.__name__}) did not give back what was stored.",
    )


async def test_the_probe_reports_a_store_error_in_its_own_words() -> None:
    with using_keyring(_Failing(keyring.errors.KeyringLocked("locked"))):
        ok, message = await probe_keyring("p")
    assert (ok, message) == (
        False,
        "The system keyring is locked: unlock it, then try to store a secret again.",
    )


async def test_the_probe_reports_a_keyring_library_that_cannot_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> None:
        raise ImportError("no backend")

    monkeypatch.setattr(keyring, "get_keyring", broken)
    monkeypatch.setattr(keyring_entries, "python_keyring_was_told", lambda: True)
    assert await probe_keyring("p") == (
        False,
        "The keyring library could not load (ImportError).",
    )


async def test_the_probe_gives_up_on_a_keyring_that_does_not_load_in_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()

    def slow() -> None:
        release.wait(10)

    monkeypatch.setattr(keyring, "get_keyring", slow)
    monkeypatch.setattr(keyring_entries, "python_keyring_was_told", lambda: True)
    try:
        assert await probe_keyring("p", timeout=0.6) == (
            False,
            "The system keyring did not answer within 1 s.",
        )
    finally:
        release.set()


class _FastClock:
    """Stands in for the `time` module of the lock: every sleep moves the clock on at once."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_by_default_another_process_is_waited_for_30_s_and_the_probe_waits_10_s(
    mem: MemoryKeyring, lock_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(secret_store, "time", _FastClock())
    writer = _hold(lock_path, shared=False)
    try:
        store = KeyringStore(NS, lock_path=lock_path)
        with pytest.raises(StoreBusyError) as info:
            await store.get("r")
        assert "locked for more than 30 s" in str(info.value)
        await store.aclose()
        monkeypatch.setattr(keyring_store, "default_lock_path", lambda: lock_path)
        ok, message = await probe_keyring("p")
    finally:
        _let_go(writer)
    assert not ok
    assert "locked for more than 10 s" in message


def test_every_tokendeck_process_of_the_user_locks_the_same_file_in_its_cache_dir() -> None:
    import platformdirs

    cache = Path(platformdirs.user_cache_dir("tokendeck", appauthor=False))
    assert default_lock_path() == cache / "keyring.lock"


class _HangingOnce(MemoryKeyring):
    """The first read hangs until released; everything after works."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.started = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        if not self.started.is_set():
            self.started.set()
            self.release.wait(10)
        return super().get_password(service, username)


async def test_closing_neither_waits_for_a_hanging_keyring_nor_runs_the_queued_calls(
    lock_path: Path,
) -> None:
    backend = _HangingOnce()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        store = _store(lock_path, timeout=5)
        reading = asyncio.ensure_future(store.get("r"))
        await asyncio.to_thread(backend.started.wait, 10)
        writing = asyncio.ensure_future(store.set("r", Secret("tdtest-queued")))
        await asyncio.sleep(0)  # the write is queued behind the hanging read
        timer = threading.Timer(3, backend.release.set)
        timer.start()
        await store.aclose()
        assert not backend.release.is_set(), "aclose waited for the hanging call"
        backend.release.set()
        timer.cancel()
        await asyncio.to_thread(store._executor.join, 10)
        assert backend.users() == [], "a call queued before aclose ran after it"
        await asyncio.gather(reading, writing, return_exceptions=True)
    finally:
        backend.release.set()
        keyring.set_keyring(previous)


class _LockedOnRead(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")


async def test_a_failed_delete_names_the_delete(lock_path: Path) -> None:
    with using_keyring(_LockedOnRead()):
        store = _store(lock_path)
        with pytest.raises(SecretStoreError) as info:
            await store.delete("r")
        assert str(info.value) == (
            "The system keyring is locked: unlock it, then try to delete a secret again."
        )
        await store.aclose()


async def test_until_the_backend_is_loaded_the_description_names_no_backend(
    mem: MemoryKeyring, lock_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real_get_keyring = keyring.get_keyring

    def slow_get_keyring() -> keyring.backend.KeyringBackend:
        release.wait(10)
        return real_get_keyring()

    monkeypatch.setattr(keyring, "get_keyring", slow_get_keyring)
    store = _store(lock_path)
    assert store.description == "System keyring"
    release.set()
    await store.get("r")  # queued behind the load
    assert store.description == "System keyring (memory_keyring)"
    await store.aclose()


async def test_the_description_names_a_backend_from_a_top_level_module(lock_path: Path) -> None:
    top_level = type("Keyring", (MemoryKeyring,), {"__module__": "mybackend"})
    with using_keyring(top_level()):
        store = _store(lock_path)
        await store.get("r")
        assert store.description == "System keyring (mybackend)"
        await store.aclose()


async def test_every_keyring_call_runs_on_the_keyring_worker(
    mem: MemoryKeyring, lock_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    real_get = mem.get_password

    def recording_get(service: str, username: str) -> str | None:
        threads.append(threading.current_thread().name)
        return real_get(service, username)

    monkeypatch.setattr(mem, "get_password", recording_get)
    store = _store(lock_path)
    await store.set("r", Secret("hunter2"))
    assert await store.get("r") == Secret("hunter2")
    assert threads and all(name == "keyring" for name in threads)
    await store.aclose()


async def test_an_earlier_release_head_reads_everything_after_its_count_as_the_digest(
    mem: MemoryKeyring, lock_path: Path
) -> None:
    # A colon in the digest makes it a wrong digest (the parts do not fit), not a damaged head.
    value = _distinct(2500)
    _legacy(mem, "r", value, whole=hashlib.sha256(value.encode()).hexdigest()[:16] + ":x")
    store = _store(lock_path)
    with pytest.raises(SecretStoreError) as torn:
        await store.get("r")
    assert str(torn.value) == "A long secret's parts do not fit together."
    await store.aclose()


class _FailsLateOnce(MemoryKeyring):
    """The first read hangs until released, then fails; everything after works."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.failed = False

    def get_password(self, service: str, username: str) -> str | None:
        if not self.failed:
            self.failed = True
            self.release.wait(10)
            raise RuntimeError("a late failure")
        return super().get_password(service, username)


async def test_abandoned_calls_that_end_later_are_not_reported_to_the_event_loop(
    lock_path: Path,
) -> None:
    loop = asyncio.get_running_loop()
    reported: list[str] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context["message"]))
    backend = _FailsLateOnce()
    try:
        with using_keyring(backend):
            store = _store(lock_path, timeout=1.0, lock_timeout=1.0)
            with pytest.raises(SecretStoreError, match="did not answer"):
                await store.get("r")  # the keyring hangs: given up (and cancelled)
            with pytest.raises(SecretStoreError, match="did not answer"):
                await store.get("r")  # queued behind the hanging call: given up before it starts
            backend.release.set()  # the first fails now, the second finds it was given up
            # The worker runs one call at a time: when this one is answered, the abandoned one has
            # failed and its outcome has reached the loop.
            assert await store.get("r") is None
            await store.aclose()
            gc.collect()  # an unretrieved failure is reported when its future is collected
            await asyncio.sleep(0)
            assert reported == []
    finally:
        backend.release.set()
        loop.set_exception_handler(None)


class _FailsLate(MemoryKeyring):
    """Answers only when released, and then with an error (a store closed meanwhile)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(10)
        raise RuntimeError("closed meanwhile")


async def test_a_call_its_caller_cancelled_ends_unheard_not_as_an_unretrieved_error(
    lock_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quit cancels what the window still waits for; the keyring's late answer (an error)
    is taken by `_forget`, never left for asyncio to report as "Future exception was never
    retrieved" when the future is collected, which may be long after."""
    forgotten: list[BaseException | None] = []
    forget = keyring_store._forget

    def recording(future: asyncio.Future[object]) -> None:
        forget(future)
        forgotten.append(None if future.cancelled() else future.exception())

    monkeypatch.setattr(keyring_store, "_forget", recording)
    late = _FailsLate()
    previous = keyring.get_keyring()
    keyring.set_keyring(late)
    store = _store(lock_path)
    try:
        first = asyncio.ensure_future(store.get("r"))  # holds the one worker
        await asyncio.sleep(0.2)
        waiting = asyncio.ensure_future(store.get("s"))  # queued behind it
        await asyncio.sleep(0.2)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        late.release.set()
        with pytest.raises(SecretStoreError):
            await first
        for _ in range(50):
            if forgotten:
                break
            await asyncio.sleep(0.05)
    finally:
        late.release.set()
        keyring.set_keyring(previous)
        await store.aclose()
    assert len(forgotten) == 1
    assert isinstance(forgotten[0], SecretStoreError | RuntimeError)


class _SlowEntries:
    """Entries whose reads wait for `release`; closing while a read runs is recorded."""

    name = "Slow"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.reading = threading.Event()
        self.closed_during_a_read = False
        self.closed = threading.Event()

    def get(self, user: str) -> str | None:
        self.reading.set()
        self.release.wait(10)
        self.reading.clear()
        return None

    def set(self, user: str, value: str, about: object, part: object) -> None:
        raise AssertionError("not written in this test")

    def delete(self, user: str) -> bool:
        return False

    def users(self, prefix: str) -> frozenset[str] | None:
        return None

    def close(self) -> None:
        self.closed_during_a_read = self.reading.is_set()
        self.closed.set()


async def test_closing_waits_for_the_running_call_before_closing_its_connection(
    lock_path: Path,
) -> None:
    """Closed under a running D-Bus call, the Secret Service connection leaves that call
    waiting for good, holding the lock every TokenDeck process shares (every later keyring use
    of every process then said "busy"): the connection is closed after the call returns."""
    entries = _SlowEntries()
    store = KeyringStore(NS, lock_path=lock_path, entries=lambda: entries)
    reading = asyncio.ensure_future(store.get("r"))
    for _ in range(100):
        if entries.reading.is_set():
            break
        await asyncio.sleep(0.02)
    assert entries.reading.is_set()
    await store.aclose()
    await asyncio.sleep(0.1)
    assert not entries.closed.is_set(), "not closed under the running read"
    entries.release.set()
    assert await reading is None
    for _ in range(100):
        if entries.closed.is_set():
            break
        await asyncio.sleep(0.02)
    assert entries.closed.is_set() and not entries.closed_during_a_read
