"""Reliability scenarios for the secret stores, shared by the fast tests (test_reliability.py,
test_crash.py) and the full run that prints the figures (bench/reliability_stores.py):

* writers: the services as the window runs them (AppServices, in this process) plus N writer
  processes that start the services as `tokendeck token` does, all changing one store at once:
  new secrets (write-before-show), rotations, deletes, and rotations of a few shared refresh
  tokens. Afterwards every ref is checked against the history: a lost write is a ref whose value
  is not the last one its owner wrote, a deleted ref that came back, or a shared ref whose value
  is older than a write that finished before another began.
* crash: SIGKILL at a random moment while a child keeps, rotates and deletes secrets (long ones
  too, split into parts in the keyring). After each kill every committed secret must read back
  as committed (or as the write in flight when it died), reconcile must finish, and at the end no
  piece of any secret may remain once everything is deleted.
* disk full: a child whose file size limit (RLIMIT_FSIZE) or file system (a 256 KiB tmpfs) runs
  out while it adds secrets to a vault. Every save either raises a clear error or is on disk.

Only digests of secrets are ever printed or compared."""

from __future__ import annotations

import asyncio
import functools
import gc
import hashlib
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from tests.storage.conftest import FAST_SCRYPT
from tokendeck.core.models import Credential, CredentialKind
from tokendeck.core.secret import Secret
from tokendeck.services.key_ids import ID_KEY_REF
from tokendeck.services.store_choice import VaultAction
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.catalog import Catalog, new_id
from tokendeck.storage.keyring_store import SERVICE, KeyringStore
from tokendeck.storage.profile import Profile, resolve_profile
from tokendeck.storage.secret_keeper import SecretKeeper
from tokendeck.storage.secret_store import SecretStore
from tokendeck.storage.vault import Vault

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
PASSWORD = "correct horse battery"
LONG = 2600  # characters: three parts in the keyring


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def make_value(rng: random.Random, long_share: float = 0.3) -> str:
    length = LONG if rng.random() < long_share else 40
    return ("tdrel-" + secrets.token_urlsafe(length))[:length]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("TOKENDECK_PROFILE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def keyring_users(prefix: str) -> list[str]:
    """Every TokenDeck item in the Secret Service whose user starts with `prefix` (listed over
    D-Bus, not through the store under test)."""
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        items = secretstorage.search_items(connection, {"service": SERVICE})
        users = [item.get_attributes().get("username", "") for item in items]
    finally:
        connection.close()
    return sorted(u for u in users if u.startswith(prefix))


def tamper(user: str, value: str | None) -> None:
    """Change (or with None, delete) the Secret Service item of `user` behind the store's back,
    in place: a write through python-keyring would add a second item with its own attributes."""
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        items = list(secretstorage.search_items(connection, {"service": SERVICE, "username": user}))
        assert items, f"no keyring item for {user}"
        for item in items:
            if value is None:
                item.delete()
            else:
                item.set_secret(value.encode())
    finally:
        connection.close()


class ScriptedPrompt:
    """Gives the vault's master password, as the user would in the window or the terminal."""

    def __init__(self, password: str) -> None:
        self.password = password

    async def ask_password(
        self, action: VaultAction, reason: str, error: str | None
    ) -> Secret | None:
        return Secret(self.password) if action is VaultAction.UNLOCK else None


async def new_profile(root: Path, kind: str) -> Profile:
    """A profile whose store is `kind`: 'vault' (created here) or 'keyring' (no vault file)."""
    profile = resolve_profile(root)
    profile.ensure()
    Catalog(profile.catalog_path).close()
    if kind == "vault":
        vault = await Vault.create(profile.vault_path, Secret(PASSWORD), FAST_SCRYPT)
        await vault.aclose()
    return profile


async def open_store(profile: Profile, kind: str) -> SecretStore:
    """A fresh view of the profile's store, sharing nothing with the processes that wrote it."""
    if kind == "vault":
        return await Vault.unlock(profile.vault_path, Secret(PASSWORD))
    catalog = Catalog(profile.catalog_path)
    try:
        namespace = catalog.namespace()
    finally:
        catalog.close()
    return KeyringStore(namespace)


# -- writers ---------------------------------------------------------------------------------


async def act(
    keeper: SecretKeeper,
    actor: str,
    operations: int,
    rng: random.Random,
    shared: list[Credential],
    emit: Callable[[str], None],
) -> None:
    """What one process does. Each change is emitted as `OK|ERR <op> <id> <ref> <digest>
    <start> <end>` (an ERR adds the error; time.monotonic is one clock for every process of
    the machine, so the order of changes made by different processes can be checked)."""
    mine: list[Credential] = []
    for index in range(operations):
        roll = rng.random()
        value = make_value(rng)
        start = time.monotonic()
        if shared and roll < 0.2:  # a long refresh token, rotated by everyone
            op, value = "shared", make_value(rng, long_share=1.0)
            credential = rng.choice(shared)
        elif mine and roll < 0.45:
            op, credential = "set", rng.choice(mine)
        elif mine and roll < 0.55:
            op, credential = "del", mine.pop(rng.randrange(len(mine)))
        else:
            op = "new"
            credential = Credential(
                id=new_id(),
                kind=CredentialKind.API_KEY,
                label=f"{actor}-{index}",
                secret_ref=str(uuid.uuid4()),
            )
        shown = "-" if op == "del" else digest(value)
        what = f"{op} {credential.id} {credential.secret_ref} {shown} {start}"
        try:
            if op == "new":
                mine.append(await keeper.keep_new_secret(credential, Secret(value)))
            elif op == "del":
                await keeper.forget(credential)
            else:
                await keeper.replace_secret(credential, Secret(value))
        except Exception as exc:
            message = " ".join(str(exc).split())[:160]
            emit(f"ERR {what} {time.monotonic()} {type(exc).__name__}: {message}")
        else:
            emit(f"OK {what} {time.monotonic()}")


@dataclass
class WritersResult:
    store: str
    processes: int
    operations: int
    errors: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    leftovers: int | None = None
    leftover_names: list[str] = field(default_factory=list)
    seconds: float = 0.0


async def _start_writer(
    profile: Profile, actor: str, operations: int, seed: int, shared: list[str]
) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.storage.writer_child",
        str(profile.data_dir),
        actor,
        str(operations),
        str(seed),
        json.dumps(shared),
        cwd=ROOT,
        env=child_env(),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None
    process.stdin.write(f"{PASSWORD}\n".encode())
    await process.stdin.drain()
    return process


async def run_writers(
    root: Path, kind: str, writers: int, total_operations: int, seed: int = 7
) -> WritersResult:
    from tokendeck.services.app_services import AppServices

    profile = await new_profile(root, kind)
    services = await AppServices.start(
        profile.catalog_path, profile.vault_path, ScriptedPrompt(PASSWORD)
    )
    expected_kind = "Encrypted vault" if kind == "vault" else "System keyring"
    assert services.store.description.startswith(expected_kind), services.store.description
    rng = random.Random(seed)
    shared = [
        await services.keeper.keep_new_secret(
            Credential(id="", kind=CredentialKind.REFRESH_TOKEN, label=f"shared-{i}"),
            Secret(make_value(rng)),
        )
        for i in range(3)
    ]
    lines: list[str] = []
    shared_writes: dict[str, list[tuple[str, float, float, bool]]] = {}
    for credential in shared:
        value = await services.keeper.read(credential)
        assert value is not None
        shared_writes[credential.secret_ref or ""] = [(digest(value.reveal()), 0.0, 0.0, True)]
    per_actor = total_operations // (writers + 1)
    window_ops = total_operations - per_actor * writers
    children = [
        await _start_writer(profile, f"w{i}", per_actor, seed * 1000 + i, [c.id for c in shared])
        for i in range(writers)
    ]
    for child in children:  # every writer has its services up before anyone starts
        assert child.stdout is not None
        line = (await asyncio.wait_for(child.stdout.readline(), 120)).decode()
        assert line.startswith("READY"), f"a writer did not start: {line!r}"
    started = time.monotonic()

    async def collect(child: asyncio.subprocess.Process) -> None:
        assert child.stdin is not None
        assert child.stdout is not None
        child.stdin.write(b"GO\n")
        await child.stdin.drain()
        async for raw in child.stdout:
            lines.append(raw.decode().strip())
        await child.wait()

    await asyncio.gather(
        act(services.keeper, "window", window_ops, rng, shared, lines.append),
        *(collect(child) for child in children),
    )
    result = WritersResult(kind, writers + 1, total_operations)
    result.seconds = time.monotonic() - started
    await services.aclose()
    result.errors += [" ".join(line.split()[7:]) for line in lines if line.startswith("ERR ")]
    result.errors += [f"writer exit {c.returncode}" for c in children if c.returncode]
    await _check_writes(profile, kind, lines, shared_writes, result)
    return result


async def _check_writes(
    profile: Profile,
    kind: str,
    lines: list[str],
    shared_writes: dict[str, list[tuple[str, float, float, bool]]],
    result: WritersResult,
) -> None:
    """A ref's value must be its owner's last write; after a change that raised, the value
    before it or the one it tried to write. A shared ref's value must be a write no other write
    began after the end of (a write that raised may or may not have landed, at any time)."""
    own: dict[str, tuple[str, set[str | None], bool]] = {}  # id -> (ref, allowed, exact)
    for line in lines:
        words = line.split()
        if len(words) < 7 or words[0] not in ("OK", "ERR"):
            continue
        ok = words[0] == "OK"
        op, cred_id, ref, value = words[1:5]
        start, end = float(words[5]), float(words[6])
        if op == "shared":
            shared_writes[ref].append((value, start, end if ok else float("inf"), ok))
            continue
        wrote = None if op == "del" else value
        before = own.get(cred_id, (ref, {None}, True))[1]
        own[cred_id] = (ref, {wrote} if ok else {*before, wrote}, ok)
    store = await open_store(profile, kind)
    catalog = Catalog(profile.catalog_path)
    try:
        for cred_id, (ref, allowed, exact) in own.items():
            got = await _digest_of(store, ref)
            if got not in allowed:
                result.lost.append(f"{ref}: {got}, expected one of {sorted(map(str, allowed))}")
            elif exact and (catalog.get_credential(cred_id) is None) != (got is None):
                result.lost.append(f"{ref}: the catalog row and the secret disagree")
        for ref, writes in shared_writes.items():
            got = await _digest_of(store, ref)
            done = [(s, e) for _, s, e, ok in writes if ok]
            latest = {d for d, _, e, ok in writes if not ok or not any(s > e for s, _ in done)}
            if got not in latest:
                result.lost.append(f"shared {ref}: {got}, not one of the latest writes")
        if kind == "keyring":
            for ref, _, _ in own.values():
                await store.delete(ref)
            for ref in shared_writes:
                await store.delete(ref)
            await store.delete(ID_KEY_REF)  # the services' own entry, not a credential
            result.leftover_names = keyring_users(f"{catalog.namespace()}:")
            result.leftovers = len(result.leftover_names)
    finally:
        catalog.close()
        await store.aclose()


async def _digest_of(store: SecretStore, ref: str) -> str | None:
    try:
        value = await store.get(ref)
    except Exception as exc:
        return f"<{type(exc).__name__}>"
    return None if value is None else digest(value.reveal())


# -- a private Secret Service ----------------------------------------------------------------

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class PrivateSecretService:
    """A D-Bus session bus of its own with an unlocked gnome-keyring on it, for the SIGKILL
    trials: killing a client in the middle of a call can make gnome-keyring-daemon abort (its
    assertion `invoke_get_property_in_idle_cb: error != NULL`), which must not take the shared
    test session's keyring down. The bus has no service activation; a daemon that died is
    started again on the same keyring file with the same password, and counted.

    Inside the `with` block this process and its children talk to this bus only."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.password = secrets.token_urlsafe(18)
        self.restarts = 0
        self._bus: subprocess.Popen[str] | None = None
        self._daemon: subprocess.Popen[bytes] | None = None
        self._saved_address: str | None = None
        self._bus_dir = ""
        self.address = ""

    TOOLS = ("dbus-daemon", "gnome-keyring-daemon")

    @staticmethod
    def missing() -> str:
        tools = [t for t in PrivateSecretService.TOOLS if shutil.which(t) is None]
        return f"needs {', '.join(tools)}" if tools else ""

    def __enter__(self) -> PrivateSecretService:
        (self.root / "keyrings").mkdir(parents=True, exist_ok=True)
        # A socket path must fit in 108 bytes: the bus listens in a short directory of its own.
        self._bus_dir = tempfile.mkdtemp(prefix="td-bus-")
        config = self.root / "bus.conf"
        config.write_text(_BUS_CONFIG.format(dir=self._bus_dir))
        self._bus = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._bus.stdout is not None
        self.address = self._bus.stdout.readline().strip()
        self._saved_address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = self.address
        try:
            self._start_daemon()
        except BaseException:
            self.__exit__()  # stop the bus, and a daemon that started but never served
            raise
        return self

    def _start_daemon(self) -> None:
        env = dict(os.environ, XDG_DATA_HOME=str(self.root / "keyrings"))
        env.pop("GNOME_KEYRING_CONTROL", None)
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert daemon.stdin is not None
        daemon.stdin.write(self.password.encode())
        daemon.stdin.close()
        self._daemon = daemon
        deadline = time.monotonic() + 20
        while not self._serving():
            if daemon.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the private gnome-keyring-daemon did not start")
            time.sleep(0.05)

    def _serving(self) -> bool:
        import secretstorage

        try:
            connection = secretstorage.dbus_init()
        except Exception:
            return False
        try:
            if not secretstorage.check_service_availability(connection):
                return False
            return not secretstorage.get_default_collection(connection).is_locked()
        except Exception:
            return False
        finally:
            connection.close()

    def keep_running(self) -> None:
        """Make sure the daemon serves now: started again if it died, and answering (a round
        trip on the bus). It may still abort later over the killed client: the checks are run
        again then (_checked), and a trial whose child found it dead is run again."""
        self.restart_if_dead()
        if not self._serving() and not self.restart_if_dead():
            raise AssertionError("the private gnome-keyring-daemon runs but does not answer")

    def restart_if_dead(self) -> bool:
        """Start the daemon again if it died (on the same keyring file); True if it had."""
        if self._daemon is None or self._daemon.poll() is None:
            return False
        self.restarts += 1
        self._start_daemon()
        return True

    def __exit__(self, *exc: object) -> None:
        for process in (self._daemon, self._bus):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(10)
        if self._bus is not None and self._bus.stdout is not None:
            self._bus.stdout.close()
        shutil.rmtree(self._bus_dir, ignore_errors=True)
        # python-keyring leaves a connection open when a call fails on a dead daemon: close
        # them here, not in some later test (their bus is gone; the warning says nothing).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
        if self._saved_address is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = self._saved_address


# -- SIGKILL ---------------------------------------------------------------------------------

CRASH_CHILD = "tests.storage.crash_child"


@dataclass
class CrashResult:
    store: str
    trials: int = 0
    committed: int = 0  # changes reported complete before a kill
    in_flight_kept: int = 0  # the change running at the kill, found complete
    reattached: int = 0  # interrupted new secrets that reconcile re-attached
    reported_lost: int = 0  # interrupted new secrets that never reached the store (reported)
    lost: list[str] = field(default_factory=list)  # committed secrets lost: must stay empty
    unchecked: int = 0
    leftovers: int | None = None
    stale_temporaries: int | None = None
    leftover_names: list[str] = field(default_factory=list)
    daemon_restarts: int = 0  # gnome-keyring-daemon aborts after a kill (private bus only)
    seconds: float = 0.0


class ChildStartError(AssertionError):
    pass


def _run_and_kill(
    profile: Profile, store_arg: str, seed: int, rng: random.Random, first: bool
) -> list[list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", CRASH_CHILD, str(profile.data_dir), store_arg, str(seed)],
        cwd=ROOT,
        env=child_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write(PASSWORD + "\n")
    proc.stdin.close()
    lines: list[str] = []
    progress = threading.Condition()  # notified at every line, and when the output ends
    ended = False

    def read() -> None:
        nonlocal ended
        for line in proc.stdout or []:
            with progress:
                lines.append(line)
                progress.notify_all()
        with progress:
            ended = True
            progress.notify_all()

    def seen(prefix: str) -> int:
        return sum(line.startswith(prefix) for line in lines)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    # The kill lands after `changes` completed changes (0 to 2: a first trial always lets one
    # finish, so every run commits something however slow the machine), then at a random moment
    # of the next ones: that delay is the behaviour under test, not synchronisation.
    changes = max(rng.randrange(3), 1 if first else 0)
    with progress:
        started = progress.wait_for(lambda: ended or seen("READY") > 0, 60)
        started = started and progress.wait_for(lambda: ended or seen("DONE") >= changes, 120)
    if not started or ended:
        proc.kill()
        proc.wait()
        reader.join(5)
        proc.stdout.close()
        raise ChildStartError(f"the crash child did not start or stopped ({proc.returncode})")
    time.sleep(rng.uniform(0.0, 0.5))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    reader.join(5)
    proc.stdout.close()
    return [line.split() for line in lines]


async def run_crash_trials(root: Path, kind: str, trials: int, seed: int = 20261122) -> CrashResult:
    if kind == "keyring":
        with PrivateSecretService(root / "secret-service") as service:
            return await _crash_trials(root / "profile", kind, trials, seed, service)
    return await _crash_trials(root / "profile", kind, trials, seed, None)


async def _crash_trials(
    root: Path, kind: str, trials: int, seed: int, service: PrivateSecretService | None
) -> CrashResult:
    profile = await new_profile(root, kind)
    store_arg = "vault"
    if kind == "keyring":
        catalog = Catalog(profile.catalog_path)
        store_arg = f"keyring:{catalog.namespace()}"
        catalog.close()
    rng = random.Random(seed)
    result = CrashResult(kind)
    committed: dict[str, tuple[str, str]] = {}  # credential id -> (ref, digest)
    started = time.monotonic()
    for trial in range(trials):
        events = _start_trial(profile, store_arg, seed + trial, rng, service, trial == 0)
        in_flight: list[str] | None = None
        for words in events:
            if len(words) == 5 and words[0] == "BEGIN":
                in_flight = words
            elif len(words) == 5 and words[0] == "DONE":
                in_flight = None
                result.committed += 1
                op, cred_id, ref, value_digest = words[1:]
                if op == "delete":
                    committed.pop(cred_id, None)
                else:
                    committed[cred_id] = (ref, value_digest)
        result.trials += 1
        committed, found = await _checked(
            service,
            functools.partial(_check_after_kill, profile, kind, dict(committed), in_flight, result),
        )
        result.lost += found.lost
        result.in_flight_kept += found.in_flight_kept
    result.seconds = time.monotonic() - started
    await _checked(service, lambda: _forget_everything(profile, kind, result))
    if service is not None:
        result.daemon_restarts = service.restarts
    return result


def _start_trial(
    profile: Profile,
    store_arg: str,
    seed: int,
    rng: random.Random,
    service: PrivateSecretService | None,
    first: bool,
) -> list[list[str]]:
    """One kill; run again when the child could not start because the private daemon had
    died meanwhile (it aborts some time after a killed client, see PrivateSecretService)."""
    for _ in range(5):
        if service is not None:
            service.keep_running()
        try:
            return _run_and_kill(profile, store_arg, seed, rng, first)
        except ChildStartError:
            if service is None or not service.restart_if_dead():
                raise
    raise AssertionError("gnome-keyring-daemon kept dying before the crash child started")


async def _checked(service: PrivateSecretService | None, check: Callable[[], Awaitable[T]]) -> T:
    """Run a check; if the private gnome-keyring-daemon died meanwhile (see
    PrivateSecretService), start it again and run the whole check again: what a dead daemon
    could not answer says nothing about the store."""
    for _ in range(5):
        if service is not None:
            service.keep_running()
        try:
            outcome = await check()
        except Exception:
            if service is None or not service.restart_if_dead():
                raise
            continue
        if service is None or not service.restart_if_dead():
            return outcome
    raise AssertionError("gnome-keyring-daemon kept dying during the checks")


async def _check_after_kill(
    profile: Profile,
    kind: str,
    before: dict[str, tuple[str, str]],
    in_flight: list[str] | None,
    totals: CrashResult,
) -> tuple[dict[str, tuple[str, str]], CrashResult]:
    """Returns what is committed now, and what this check found (losses, in-flight changes
    found complete). Reconcile's own counts go to `totals`."""
    committed = dict(before)
    found = CrashResult(kind)
    catalog = await AsyncCatalog.open(profile.catalog_path)
    store = await open_store(profile, kind)
    try:
        if await catalog.integrity_check() != "ok":
            found.lost.append("the catalog failed its integrity check")
        report = await SecretKeeper(catalog, store).reconcile()
        totals.reattached += len(report.reattached)
        totals.reported_lost += len(report.lost)
        totals.unchecked += len(report.unchecked)
        op, flight_id, flight_ref, flight_digest = (in_flight or ["", "", "", "", ""])[1:]
        keeper = SecretKeeper(catalog, store)
        for cred_id, (ref, want) in before.items():
            row = await catalog.get_credential(cred_id)
            got = await _digest_of(store, ref)
            if cred_id == flight_id and op == "delete" and (row is None or got is None):
                committed.pop(cred_id)
                if row is not None:  # the secret went, the row not yet: finish the delete
                    await keeper.forget(row)
                continue
            if cred_id == flight_id and op == "rotate" and got == flight_digest:
                committed[cred_id] = (ref, got)
                found.in_flight_kept += 1
                continue
            if row is None or got != want:
                found.lost.append(f"{ref}: {got} instead of {want} (row {row is not None})")
                committed.pop(cred_id)
        if op == "new":
            row = await catalog.get_credential(flight_id)
            if row is not None:
                got = await _digest_of(store, flight_ref)
                if got != flight_digest:
                    found.lost.append(f"a re-attached secret reads {got}, not {flight_digest}")
                committed[flight_id] = (flight_ref, flight_digest)
                found.in_flight_kept += 1
            else:  # never finished: remove whatever pieces it left (the child is dead)
                await store.delete(flight_ref)
        if await catalog.list_pending():
            found.lost.append("reconcile left the journal unsettled")
    finally:
        await store.aclose()
        await catalog.aclose()
    return committed, found


async def _forget_everything(profile: Profile, kind: str, result: CrashResult) -> None:
    catalog = await AsyncCatalog.open(profile.catalog_path)
    store = await open_store(profile, kind)
    try:
        keeper = SecretKeeper(catalog, store)
        for credential in await catalog.list_credentials():
            await keeper.forget(credential)
        if kind == "keyring":
            namespace = await catalog.namespace()
            result.leftover_names = keyring_users(f"{namespace}:")
            result.leftovers = len(result.leftover_names)
        else:
            result.stale_temporaries = len(list(profile.data_dir.glob(".*.tmp")))
    finally:
        await store.aclose()
        await catalog.aclose()


# -- disk full -------------------------------------------------------------------------------

DISK_CHILD = "tests.storage.diskfull_child"
TMPFS_BYTES = 256 * 1024


@dataclass
class DiskFullResult:
    method: str
    attempts: int = 0
    saved: int = 0  # changes (saves and deletes) that returned normally
    refused: int = 0  # changes that raised
    messages: set[str] = field(default_factory=set)
    lost: list[str] = field(default_factory=list)
    opened_from_previous: bool = False
    skipped: str = ""


def disk_outcome(result: DiskFullResult, output: str) -> dict[str, str]:
    """Parse a disk-full child's lines; returns ref -> digest ("-" once deleted)."""
    expected: dict[str, str] = {}
    for line in output.splitlines():
        words = line.split(maxsplit=2)
        if len(words) == 3 and words[0] in ("SAVED", "DELETED"):
            expected[words[1]] = words[2]
            result.saved += 1
        elif len(words) == 3 and words[0] == "REFUSED":
            result.refused += 1
            result.messages.add(re.sub(r"/\S+", "<path>", f"{words[1]} {words[2]}")[:200])
        elif words and words[0] == "LOST":
            result.lost.append(line)
        elif words and words[0] == "RECOVERED":
            result.opened_from_previous = True
    result.attempts = result.saved + result.refused
    return expected


async def check_saved(vault: Vault, expected: dict[str, str]) -> list[str]:
    lost = []
    for ref, want in expected.items():
        got = await _digest_of(vault, ref)
        if got != (None if want == "-" else want):
            lost.append(f"LOST {ref}: {got} instead of {want}")
    return lost


async def run_disk_full_rlimit(root: Path, attempts: int, limit: int = 64 * 1024) -> DiskFullResult:
    """The child may not make any file bigger than `limit` bytes (RLIMIT_FSIZE, as a quota)."""
    profile = await new_profile(root, "vault")
    result = DiskFullResult(f"RLIMIT_FSIZE {limit // 1024} KiB")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            DISK_CHILD,
            "fill",
            str(profile.data_dir),
            str(attempts),
            str(limit),
        ],
        cwd=ROOT,
        env=child_env(),
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    expected = disk_outcome(result, proc.stdout)
    if proc.returncode != 0:
        result.lost.append(f"the child failed ({proc.returncode}): {proc.stderr[-300:]}")
    vault = await Vault.unlock(profile.vault_path, Secret(PASSWORD))
    result.opened_from_previous = vault.recovered
    result.lost += await check_saved(vault, expected)
    await vault.aclose()
    return result


def tmpfs_available() -> str:
    """Empty if a private tmpfs can be mounted here (root, unshare), else why not."""
    if shutil.which("unshare") is None:
        return "unshare is not installed"
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if probe.returncode == 0 else f"cannot mount a tmpfs ({probe.stderr.strip()[:80]})"


def run_disk_full_tmpfs(root: Path, attempts: int) -> DiskFullResult:
    """A real ENOSPC: the vault lives on a 256 KiB tmpfs in a private mount namespace (gone when
    the child exits); the child creates and fills the vault, then unlocks it afresh from the
    disk and checks every change it was told had succeeded."""
    result = DiskFullResult(f"tmpfs {TMPFS_BYTES // 1024} KiB (ENOSPC)")
    why = tmpfs_available()
    if why:
        result.skipped = why
        return result
    mount = root / "tmpfs"
    mount.mkdir(parents=True)
    script = 'mount -t tmpfs -o size="$1",mode=0700 tmpfs "$2" && exec "$3" -m "$4" tmpfs "$2" "$5"'
    proc = subprocess.run(
        [
            *("unshare", "-m", "sh", "-c", script, "sh", str(TMPFS_BYTES), str(mount)),
            *(sys.executable, DISK_CHILD, str(attempts)),
        ],
        cwd=ROOT,
        env=child_env(),
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    disk_outcome(result, proc.stdout)
    if proc.returncode != 0 or "VERIFIED" not in proc.stdout:
        result.lost.append(f"the child failed ({proc.returncode}): {proc.stderr[-300:]}")
    return result
