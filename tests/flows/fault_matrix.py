"""The reliability fault matrix: every platform the sandbox serves × every fault kind the sandbox
injects × every operation the platform supports, run through the real services (AppServices with
a memory store) against the sandbox over real HTTP, with the state checked after each fault.

One cell = one fresh platform user and one fresh account:
  set up without faults (add, sign in, and for revoke / rotate a key to act on);
  queue the fault on the platform's `/__sandbox/faults` (the op's write method for create /
  revoke / rotate, else the next request; count 1, or 20 for the persistent variants);
  run the operation; then check
  1. it succeeded, or raised a TokenDeckError whose details() is a sentence; no secret (the
     user's password, keys, tokens, the platform's refresh tokens, ...) in its str / details /
     repr / chained causes, nor in a log line written meanwhile;
  2. the account's status: signed in after a success; after a failure what services.accounts
     sets (offline / needs_login / error) for sign in and refresh, and unchanged or that for key
     operations; never "signed in" without a session secret; a failed first sign-in keeps no
     session;
  3. catalog vs platform: every key TokenDeck holds as active has its secret, exists and is
     active on the platform, and the secret held is that key's; every key marked revoked is not
     active on the platform; a key the operation created on the platform is held with its secret
     or named (by id) in the error; a failed revoke leaves the key active in both places, a
     successful one revoked in both; catalog and secret store agree (no pending intent, no
     dangling secret ref);
  4. after `/__sandbox/reset` the same operation succeeds (signing in again first when needed,
     which is a problem only if the account still showed "signed in"); then the checks of 2 and
     3 hold again, and a listing reconciles the catalog with the platform exactly.

Used by tests/flows/test_fault_matrix.py (a fast subset) and bench/reliability_faults.py (all
of it, printed as a table).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.prompts import NoPrompt
from tokendeck.core.clock import SystemClock
from tokendeck.core.errors import AuthError, NetworkError, TokenDeckError, UncertainWriteError
from tokendeck.core.models import (
    PLATFORM_NAMES,
    Account,
    AccountStatus,
    Credential,
    CredentialState,
    Platform,
)
from tokendeck.core.platform_types import RemoteKey
from tokendeck.core.redaction import MASK
from tokendeck.core.secret import Secret
from tokendeck.platforms.base import PlatformAdapter
from tokendeck.platforms.encord.adapter import keyed_fingerprint
from tokendeck.platforms.encord_signing import public_hex
from tokendeck.platforms.registry import CAPABILITIES, make_adapter
from tokendeck.sandbox.control import (
    ADMIN_PREFIX,
    FAULT_KINDS,
    Control,
    FaultMiddleware,
    admin_routes,
)
from tokendeck.sandbox.world import SandboxWorld, build_world
from tokendeck.services.app_services import AppServices
from tokendeck.services.key_ids import load_id_key
from tokendeck.storage.profile import Profile

OK, ERR, INCONSISTENT = "ok", "err", "INCONSISTENT"
CLIENT_TIMEOUT = 1.0  # seconds: each account's HTTP client (the app's default is 15 s)
FAULT_SLEEP = 1.5  # seconds the sandbox's "timeout" fault waits: longer than CLIENT_TIMEOUT
RUN_LIMIT = 60.0  # an operation still running after this is a hang
PERSISTENT = 20

PLATFORMS = (
    Platform.DATALOOP,
    Platform.HAUT,
    Platform.ENCORD,
    Platform.VISUAL_LAYER,
    Platform.TRIFACTA,
    Platform.OAUTH2,
)


LEFTOVER_SWEPT = "deletes such a leftover the next time this account signs in"
CHECK_FAILED = "may have created the key anyway, and TokenDeck could not check"


def least_scopes(platform: Platform) -> tuple[str, ...]:
    """One scope where the platform has scopes (TokenDeck never grants all by default)."""
    scopes = CAPABILITIES[platform].key_scopes
    return scopes[:1]


OPERATIONS = ("sign_in", "refresh", "list_keys", "create_key", "revoke_key", "rotate_key")
OP_NAMES = {
    "sign_in": "sign in",
    "refresh": "refresh",
    "list_keys": "list keys",
    "create_key": "create key",
    "revoke_key": "revoke key",
    "rotate_key": "rotate key",
}
# The fault waits for the request that changes the platform; the others take the next request.
FAULT_METHOD = {"create_key": "POST", "rotate_key": "POST", "revoke_key": "DELETE"}


@dataclass(frozen=True, slots=True)
class Variant:
    kind: str
    count: int = 1

    @property
    def label(self) -> str:
        return self.kind if self.count == 1 else f"{self.kind}x{self.count}"


SINGLE = tuple(Variant(kind) for kind in FAULT_KINDS)
PERSISTENT_VARIANTS = tuple(Variant(kind, PERSISTENT) for kind in FAULT_KINDS)
ALL_VARIANTS = SINGLE + PERSISTENT_VARIANTS


def operations(platform: Platform) -> tuple[str, ...]:
    """What the platform's Capabilities say TokenDeck can do there."""
    caps = CAPABILITIES[platform]
    can = {
        "sign_in": True,
        "refresh": caps.refresh,
        "list_keys": caps.list_keys,
        "create_key": caps.create_keys,
        "revoke_key": caps.revoke_keys,
        "rotate_key": caps.create_keys and caps.list_keys,
    }
    return tuple(op for op in OPERATIONS if can[op])


def world_key(platform: Platform) -> str:
    return platform.value  # the sandbox world's URL keys are the platform values


# -- the sandbox ------------------------------------------------------------------------------


def attach_fault_control(app: Any) -> bool:
    """Give a sandbox app without one (the OAuth 2.0 / OIDC issuer) the same fault middleware and
    `/__sandbox/...` endpoints the other platforms have. Must run before the app serves."""
    if any(str(getattr(r, "path", "")).startswith(ADMIN_PREFIX) for r in app.routes):
        return False
    control = Control()
    app.add_middleware(FaultMiddleware, control=control)
    app.router.routes.extend(admin_routes(control))
    app.state.fault_control = control
    return True


def start_world() -> tuple[SandboxWorld, list[str]]:
    """A sandbox world where every platform takes faults; returns it and the platforms whose
    fault control this harness had to attach."""
    world = build_world()
    attached = [name for name, app in world.apps().items() if attach_fault_control(app)]
    return world.start(), attached


@contextmanager
def then_fault(
    control: Control, after: str, kind: str, method: str | None, count: int
) -> Iterator[None]:
    """Once a request takes the fault `after`, queue `count` faults `kind` (for `method`): a
    sequence the admin endpoint cannot express, e.g. a create whose answer is lost and then the
    listing that would reconcile it fails. Patches the sandbox's Control in this process."""
    original = control.next_fault

    def next_fault(method_seen: str = "GET") -> str | None:
        chosen = original(method_seen)
        if chosen == after:
            control.queued.extend([(kind, method)] * count)
        return chosen

    control.next_fault = next_fault  # type: ignore[method-assign]
    try:
        yield
    finally:
        del control.next_fault


# -- platform users and what the platform holds ----------------------------------------------


@dataclass(frozen=True, slots=True)
class PlatformKey:
    id: str
    active: bool
    matches: Callable[[str], bool]  # whether a secret TokenDeck holds is this key's


@dataclass
class Principal:
    """A fresh platform user for one cell, and how to sign in as it."""

    inputs: dict[str, str]
    secrets: dict[str, Secret]
    owner: str
    known: list[str] = field(default_factory=list)  # secret values that must never show
    resources: tuple[str, ...] = ()
    id_key: bytes | None = None  # the profile's key for ids derived from key values (Encord)


def _claim(token: str, name: str) -> object:
    try:
        return jwt.decode(token, options={"verify_signature": False}).get(name)
    except jwt.InvalidTokenError:
        return None


def _trifacta_parts(value: str) -> tuple[object, object]:
    try:
        decoded = json.loads(base64.b64decode(value))
    except (ValueError, TypeError):
        return None, None
    if not isinstance(decoded, dict):
        return None, None
    return decoded.get("tokenId"), decoded.get("secret")


def new_principal(world: SandboxWorld, platform: Platform) -> Principal:
    tag = secrets.token_hex(5)
    password = "tdtest-pw-" + secrets.token_urlsafe(14)
    if platform is Platform.DATALOOP:
        email = f"fm.{tag}@sandbox.test"
        world.dataloop.add_user(email, password)
        return Principal({"username": email}, {"password": Secret(password)}, email, [password])
    if platform is Platform.HAUT:
        email = f"fm.{tag}@sandbox.test"
        users = world.haut.state.users
        users[email] = {
            "id": 1000 + len(users),
            "email": email,
            "password": password,
            "company_id": f"company-{tag}",
        }
        return Principal({"username": email}, {"password": Secret(password)}, email, [password])
    if platform is Platform.ENCORD:
        email = f"fm.{tag}@sandbox.test"
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        ).decode()
        world.encord.register(public_hex(key), email)
        project, dataset = world.encord.add_project(email), world.encord.add_dataset(email)
        return Principal(
            {"project_hash": project, "dataset_hash": dataset},
            {"private_key": Secret(pem)},
            email,
            [pem],
            (project, dataset),
        )
    if platform is Platform.VISUAL_LAYER:
        api_key, api_secret = world.visual_layer.new_pair()
        return Principal(
            {"mode": "cloud", "api_key": api_key},
            {"api_secret": Secret(api_secret)},
            api_key,
            [api_secret],
        )
    if platform is Platform.TRIFACTA:
        user = f"fm-{tag}"
        world.trifacta.state.users[user] = password
        return Principal({"username": user}, {"password": Secret(password)}, user, [password])
    if platform is Platform.OAUTH2:
        client_id, client_secret = f"fm-{tag}", "tdtest-client-" + secrets.token_urlsafe(18)
        world.oauth2.state.clients[client_id] = client_secret
        return Principal(
            {"client_id": client_id, "scope": "read"},
            {"client_secret": Secret(client_secret)},
            client_id,
            [client_secret],
        )
    raise ValueError(f"the sandbox does not serve {platform.value}")


def platform_keys(
    world: SandboxWorld, platform: Platform, who: Principal
) -> dict[str, PlatformKey]:
    """The principal's keys as the platform holds them, by the id TokenDeck gives them."""
    out: dict[str, PlatformKey] = {}
    if platform is Platform.DATALOOP:
        for raw in list(world.dataloop.state.keys.values()):
            if raw["userId"] == who.owner:
                kid = str(raw["id"])
                out[kid] = PlatformKey(
                    kid, not raw.get("revokedAt"), lambda s, kid=kid: _claim(s, "jti") == kid
                )
    elif platform is Platform.HAUT:
        for raw in list(world.haut.state.private.values()):
            if raw["_owner"] == who.owner:
                jti = raw["_jti"]
                out[str(raw["id"])] = PlatformKey(
                    str(raw["id"]), True, lambda s, jti=jti: _claim(s, "jti") == jti
                )
    elif platform is Platform.ENCORD:
        for value, raw in list(world.encord.state.keys.items()):
            if raw["resource_hash"] in who.resources:
                kid = f"{raw['resource_type']}:{keyed_fingerprint(value, who.id_key)}"
                out[kid] = PlatformKey(kid, True, lambda s, value=value: s == value)
    elif platform is Platform.TRIFACTA:
        now = world.trifacta.control.now()
        for raw in list(world.trifacta.state.tokens.values()):
            if raw["_owner"] == who.owner:
                tid, expires = str(raw["tokenId"]), raw["_expires"]
                out[tid] = PlatformKey(
                    tid,
                    expires is None or expires > now,
                    lambda s, tid=tid, sec=raw["_secret"]: _trifacta_parts(s) == (tid, sec),
                )
    return out


def platform_secrets(world: SandboxWorld, platform: Platform, who: Principal) -> list[str]:
    """Secret values the platform issued to the principal (refresh tokens, bearers, keys)."""
    if platform is Platform.DATALOOP:
        return [t for t, owner in list(world.dataloop.state.refresh.items()) if owner == who.owner]
    if platform is Platform.HAUT:
        return [t for t, owner in list(world.haut.state.refresh.items()) if owner == who.owner]
    if platform is Platform.ENCORD:
        bearers = [
            t for t, (owner, _) in list(world.encord.state.bearers.items()) if owner == who.owner
        ]
        keys = [
            v
            for v, raw in list(world.encord.state.keys.items())
            if raw["resource_hash"] in who.resources
        ]
        return bearers + keys
    if platform is Platform.TRIFACTA:
        out: list[str] = []
        for raw in list(world.trifacta.state.tokens.values()):
            if raw["_owner"] == who.owner:
                out.append(raw["_secret"])
                out.append(
                    base64.b64encode(
                        json.dumps({"tokenId": raw["tokenId"], "secret": raw["_secret"]}).encode()
                    ).decode()
                )
        return out
    if platform is Platform.OAUTH2:
        return [
            t for t, owner in list(world.oauth2.state.refresh_tokens.items()) if owner == who.owner
        ]
    return []


def session_key_id(platform: Platform, session: Credential | None) -> str | None:
    """The platform key a session is (Trifacta's session is an access token it lists)."""
    if platform is not Platform.TRIFACTA or session is None:
        return None
    extra = session.meta.get("extra")
    value = extra.get("token_id") if isinstance(extra, Mapping) else None
    return str(value) if value else None


# -- results ----------------------------------------------------------------------------------


@dataclass
class Cell:
    platform: Platform
    op: str
    variant: Variant
    outcome: str = OK
    problems: list[str] = field(default_factory=list)
    error: str = ""  # "ErrorClass: details()" of the operation's error, if any
    hits: int = 0  # requests the fault hit
    recovered: str = ""  # "retry" or "sign-in" (signing in again was needed)
    notes: list[str] = field(default_factory=list)  # defects of the message, not of the state
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return f"{PLATFORM_NAMES[self.platform]} / {OP_NAMES[self.op]} / {self.variant.label}"


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(record.getMessage())
            if record.exc_info and record.exc_info[1] is not None:
                self.lines.append(repr(record.exc_info[1]))
        except Exception:  # a broken record must not break the run
            self.lines.append(f"<unformattable record from {record.name}>")


@contextmanager
def captured_logs(*names: str) -> Iterator[list[str]]:
    handler = _Lines()
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)


def _fragments(value: str) -> list[str]:
    """The value, and for long ones a middle and an end piece (a JWT's shared header start is
    no secret)."""
    if len(value) < 6:
        return []
    out = [value]
    if len(value) >= 40:
        middle = len(value) // 2
        out += [value[middle - 8 : middle + 8], value[-16:]]
    return out


def names_id(text: str, key_id: str) -> bool:
    """Whether `text` names `key_id` as a whole ("id 9" names 9; "127.0.0.1" does not)."""
    return re.search(rf"(?<![\w.:/-]){re.escape(key_id)}(?![\w:/-]|\.\w)", text) is not None


def expected_status(error: TokenDeckError) -> AccountStatus:
    """What services.accounts sets after a failed sign in or refresh."""
    if isinstance(error, NetworkError):
        return AccountStatus.OFFLINE
    if isinstance(error, AuthError):
        return AccountStatus.NEEDS_LOGIN
    return AccountStatus.ERROR


NETWORK_KINDS = frozenset({"reset", "timeout", "truncated", "drop_answer"})


def message_notes(error: TokenDeckError, variant: Variant) -> list[str]:
    """What is wrong with an error's words though the state is right: a word masked as a
    secret where the sandbox sent none, a Python None, a lost connection not called one."""
    details, notes = error.details(), []
    if MASK in details:
        notes.append(f"words masked as {MASK} where no secret was: {details!r}")
    if re.search(r"\bNone\b", details):
        notes.append(f"shows a Python None: {details!r}")
    if variant.kind in NETWORK_KINDS and not isinstance(error, NetworkError):
        notes.append(
            f"a lost connection ({variant.kind}) surfaced as {type(error).__name__}, not a "
            f"NetworkError (a failed sign-in or refresh then shows 'error', not 'offline'): "
            f"{details!r}"
        )
    return notes


def sentence_problem(text: str) -> str | None:
    stripped = text.strip()
    if not stripped:
        return "is empty"
    if len(re.findall(r"[A-Za-z]{2,}", stripped)) < 3:
        return f"is not a sentence: {stripped!r}"
    if "object at 0x" in stripped or "Traceback" in stripped:
        return f"shows internals: {stripped!r}"
    return None


# -- the harness ------------------------------------------------------------------------------


@dataclass
class _Run:
    """One cell's account and what it acts on."""

    platform: Platform
    who: Principal
    account: Account
    lifetime: timedelta | None
    target_id: str | None = None
    target: RemoteKey | None = None
    reported: set[str] = field(default_factory=set)  # key ids the error named


class Harness:
    """Runs cells against one sandbox world with one AppServices (memory store)."""

    def __init__(
        self,
        world: SandboxWorld,
        data_dir: Path,
        *,
        client_timeout: float = CLIENT_TIMEOUT,
        fault_sleep: float = FAULT_SLEEP,
    ) -> None:
        self.world = world
        self.data_dir = data_dir
        self.client_timeout = client_timeout
        self.fault_sleep = fault_sleep
        self.services: AppServices | None = None
        self._control: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Harness:
        clock = SystemClock()

        def factory(account: Account) -> PlatformAdapter:
            adapter = make_adapter(account.platform, account.host, account.settings, clock)
            client = getattr(adapter, "_http", None)
            if isinstance(client, httpx.AsyncClient):
                client.timeout = httpx.Timeout(self.client_timeout)
            return adapter

        profile = Profile(self.data_dir / "data", self.data_dir / "logs")
        profile.ensure()
        self.services = await AppServices.start(
            profile.catalog_path,
            profile.vault_path,
            NoPrompt(),
            memory_store=True,
            adapter_factory=factory,
        )
        self._control = httpx.AsyncClient(timeout=10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._control is not None:
            await self._control.aclose()
        if self.services is not None:
            await self.services.aclose()

    @property
    def svc(self) -> AppServices:
        assert self.services is not None, "use the harness as an async context manager"
        return self.services

    # -- sandbox control over HTTP ----------------------------------------------------------

    async def _admin(
        self, platform: Platform, what: str, body: dict[str, Any] | None = None
    ) -> Any:
        assert self._control is not None
        url = f"{self.world.urls[world_key(platform)]}{ADMIN_PREFIX}/{what}"
        if body is None and what == "state":
            response = await self._control.get(url)
        else:
            response = await self._control.post(url, json=body or {})
        response.raise_for_status()
        return response.json()

    async def reset(self, platform: Platform) -> None:
        await self._admin(platform, "reset")

    async def inject(self, platform: Platform, variant: Variant, method: str | None) -> None:
        await self._admin(platform, "config", {"timeout_seconds": self.fault_sleep})
        body: dict[str, Any] = {"kind": variant.kind, "count": variant.count}
        if method:
            body["method"] = method
        await self._admin(platform, "faults", body)

    async def fault_hits(self, platform: Platform) -> int:
        state = await self._admin(platform, "state")
        return sum(int(v) for v in state.get("hits", {}).values())

    # -- one cell ---------------------------------------------------------------------------

    async def run(self, platform: Platform, op: str, variant: Variant) -> Cell:
        cell = Cell(platform, op, variant)
        started = time.monotonic()
        try:
            await self._run(cell)
        except Exception as exc:  # the harness itself failed: say so, never hide it
            cell.problems.append(f"harness step failed: {type(exc).__name__}: {exc}")
        finally:
            await self.reset(platform)
        cell.seconds = time.monotonic() - started
        cell.outcome = INCONSISTENT if cell.problems else ERR if cell.error else OK
        return cell

    async def _run(self, cell: Cell) -> None:
        accounts = self.svc.accounts
        platform, op = cell.platform, cell.op
        await self.reset(platform)
        who = new_principal(self.world, platform)
        who.id_key = await load_id_key(self.svc.store)
        caps = CAPABILITIES[platform]
        account = await accounts.add(
            Account(
                id="",
                name=f"fm {platform.value} {op} {cell.variant.label} {secrets.token_hex(4)}",
                platform=platform,
                host=self.world.urls[world_key(platform)],
            ),
            who.inputs,
            who.secrets,
        )
        lifetime = caps.expiry_choices[0].lifetime if caps.expiry_choices else None
        run = _Run(platform, who, account, lifetime)
        if op != "sign_in":
            run.account = await self.svc.sessions.sign_in(account)
        if op in ("revoke_key", "rotate_key"):
            credential, _ = await self.svc.keys.create_key(
                run.account, "fm target", lifetime, least_scopes(platform)
            )
            run.target_id = credential.remote_id
            if op == "rotate_key":
                views = await self.svc.keys.list_keys(run.account)
                run.target = next(v.remote for v in views if v.remote.id == run.target_id)
        before = platform_keys(self.world, platform, who)
        held_before = await self._store_values()

        await self.inject(platform, cell.variant, FAULT_METHOD.get(op))
        error: TokenDeckError | None = None
        with captured_logs("tokendeck", "httpx") as lines:
            try:
                await asyncio.wait_for(self._do(run, op, "fm made"), RUN_LIMIT)
            except TokenDeckError as exc:
                error = exc
            except TimeoutError:
                cell.problems.append(f"the operation still ran after {RUN_LIMIT:.0f} s (a hang)")
            except Exception as exc:
                cell.problems.append(
                    f"raised {type(exc).__name__}, not a TokenDeckError: "
                    f"{self._masked(str(exc), who, held_before)}"
                )
        cell.hits = await self.fault_hits(platform)
        if error is not None:
            cell.error = f"{type(error).__name__}: {error.details()}"
            run.reported = {
                k for k in platform_keys(self.world, platform, who) if names_id(str(error), k)
            }
            if isinstance(error, UncertainWriteError) and (
                LEFTOVER_SWEPT in str(error) or CHECK_FAILED in str(error)
            ):
                # The new key cannot be named: Trifacta's Basic auth may only create (a lost
                # sign-in answer's token is announced and swept at the next sign-in), or every
                # request after the lost create failed too (Encord lists by POST): then the error
                # says a key may exist, under which name, and what to do.
                run.reported |= {
                    k for k, v in platform_keys(self.world, platform, who).items() if v.active
                } - set(before)
        known = await self._known_secrets(run, held_before)
        cell.problems += self._error_problems(error, known, lines)
        if error is not None and cell.hits:
            cell.notes += message_notes(error, cell.variant)
        status = (await accounts.get(account.id)).status
        cell.problems += await self._state_problems(run, op, error, before, "after the fault")

        # 4. recovery: clear the faults, do it again (signing in again if that is needed)
        await self.reset(platform)
        try:
            await self._do(run, op, "fm again")
            cell.recovered = "retry"
        except TokenDeckError as first:
            try:
                run.account = await self.svc.sessions.sign_in(await accounts.get(account.id))
                if op != "sign_in":
                    await self._do(run, op, "fm again")
                cell.recovered = "sign-in"
            except TokenDeckError as second:
                cell.problems.append(
                    "does not recover once the faults are cleared: "
                    f"{type(first).__name__}: {first.details()} / after signing in again: "
                    f"{type(second).__name__}: {second.details()}"
                )
            if cell.recovered == "sign-in" and status is AccountStatus.SIGNED_IN:
                cell.problems.append(
                    "the account showed 'signed in' after the fault, yet it worked again only "
                    f"after a new sign-in (the retry said {type(first).__name__}: "
                    f"{first.details()})"
                )
        if cell.recovered:
            cell.problems += await self._state_problems(run, op, None, before, "after recovery")
            if CAPABILITIES[platform].list_keys:
                cell.problems += await self._listing_problems(run)

    async def _do(self, run: _Run, op: str, name: str) -> None:
        accounts = self.svc.accounts
        account = await accounts.get(run.account.id)
        if op == "sign_in":
            await self.svc.sessions.sign_in(account)
        elif op == "refresh":
            await self.svc.sessions.refresh(account)
        elif op == "list_keys":
            await self.svc.keys.list_keys(account)
        elif op == "create_key":
            await self.svc.keys.create_key(account, name, run.lifetime, least_scopes(run.platform))
        elif op == "revoke_key":
            await self.svc.keys.revoke_key(account, run.target_id or "")
        elif op == "rotate_key":
            assert run.target is not None
            await self.svc.keys.rotate_key(account, run.target)
        else:
            raise ValueError(op)

    # -- checks -----------------------------------------------------------------------------

    async def _store_values(self) -> list[str]:
        store = self.svc.store
        refs = store.refs() if hasattr(store, "refs") else []
        values = [await store.get(ref) for ref in refs]
        return [v.reveal() for v in values if v is not None]

    async def _known_secrets(self, run: _Run, held_before: list[str]) -> list[str]:
        values = {
            *run.who.known,
            *held_before,
            *(await self._store_values()),
            *platform_secrets(self.world, run.platform, run.who),
            self.world.password,
        }
        return sorted(f for v in values for f in _fragments(v))

    def _masked(self, text: str, who: Principal, held: list[str]) -> str:
        for value in sorted({*who.known, *held}, key=len, reverse=True):
            if len(value) >= 6:
                text = text.replace(value, "<secret>")
        return text

    def _error_problems(
        self, error: TokenDeckError | None, known: list[str], lines: list[str]
    ) -> list[str]:
        problems: list[str] = []
        texts = {"log line": "\n".join(lines)}
        if error is not None:
            details = error.details()
            bad = sentence_problem(details)
            if bad:
                problems.append(f"the error's details() {bad}")

            texts |= {"str(error)": str(error), "details()": details, "repr(error)": repr(error)}
            cause = error.__cause__ or error.__context__
            depth = 0
            while cause is not None and depth < 5:
                texts[f"chained {type(cause).__name__}"] = f"{cause!s} {cause!r}"
                cause, depth = cause.__cause__ or cause.__context__, depth + 1
        for where, text in texts.items():
            if any(secret in text for secret in known):
                problems.append(f"a secret value appears in the {where}")
        return problems

    async def _state_problems(
        self,
        run: _Run,
        op: str,
        error: TokenDeckError | None,
        before: Mapping[str, PlatformKey],
        when: str,
    ) -> list[str]:
        svc, accounts = self.svc, self.svc.accounts
        problems: list[str] = []
        account = await accounts.get(run.account.id)
        credentials = await accounts.credentials(account)
        sessions = [c for c in credentials if c.role == "session"]
        session = sessions[0] if sessions else None
        session_value = await svc.keeper.read(session) if session is not None else None

        # 2. status
        if account.status is AccountStatus.SIGNED_IN and session_value is None:
            problems.append(f"{when}: 'signed in' but no session secret is held")
        if error is None:
            if account.status is not AccountStatus.SIGNED_IN:
                problems.append(f"{when}: succeeded, yet the status is '{account.status.value}'")
        else:
            expected = expected_status(error)
            if op in ("sign_in", "refresh") and account.status is not expected:
                problems.append(
                    f"{when}: {type(error).__name__} left the status '{account.status.value}', "
                    f"services set '{expected.value}' for it"
                )
            if op not in ("sign_in", "refresh") and account.status not in (
                AccountStatus.SIGNED_IN,
                expected,
            ):
                problems.append(f"{when}: unexpected status '{account.status.value}'")
            if op == "sign_in" and session is not None:
                problems.append(f"{when}: a failed first sign-in left a session credential")

        # 3. catalog vs platform
        keys = platform_keys(self.world, run.platform, run.who)
        held_ids: set[str] = set()
        for credential in (c for c in credentials if c.role == "key"):
            rid = credential.remote_id or ""
            remote = keys.get(rid)
            if credential.state is CredentialState.REVOKED:
                if remote is not None and remote.active:
                    problems.append(
                        f"{when}: key {rid} is revoked in TokenDeck but active on the platform"
                    )
                continue
            value = await svc.keeper.read(credential)
            if value is None:
                problems.append(
                    f"{when}: TokenDeck holds key {rid} as '{credential.state.value}' "
                    "without its secret"
                )
                continue
            held_ids.add(rid)
            if remote is None or not remote.active:
                problems.append(
                    f"{when}: TokenDeck holds key {rid} with its secret as "
                    f"'{credential.state.value}', but the platform has no active key {rid}"
                )
            elif not remote.matches(value.reveal()):
                problems.append(f"{when}: the secret held for key {rid} is not that key's")
        sid = session_key_id(run.platform, session)
        if sid and session_value is not None:
            held_ids.add(sid)
            remote = keys.get(sid)
            if remote is None or not remote.active:
                problems.append(f"{when}: the session is token {sid}, which the platform lacks")
            elif not remote.matches(session_value.reveal()):
                problems.append(f"{when}: the session secret is not token {sid}'s")
        for kid, remote in keys.items():
            fresh = remote.active and kid not in before
            if fresh and kid not in held_ids and kid not in run.reported:
                problems.append(
                    f"{when}: key {kid} was created on the platform, but TokenDeck neither "
                    "holds it nor names it in the error (silently lost)"
                )
        if op == "revoke_key" and run.target_id:
            remote = keys.get(run.target_id)
            gone = remote is None or not remote.active
            held = [c for c in credentials if c.remote_id == run.target_id]
            revoked_here = bool(held) and held[0].state is CredentialState.REVOKED
            if error is None and not (gone and revoked_here):
                problems.append(
                    f"{when}: the revoke succeeded, but the key is "
                    f"{'revoked' if gone else 'active'} on the platform and "
                    f"{'revoked' if revoked_here else 'active'} in TokenDeck"
                )
            if error is None and held and held[0].secret_held:
                problems.append(f"{when}: the revoked key's secret is still kept")
            if error is not None and (gone or revoked_here):
                problems.append(
                    f"{when}: the revoke failed ({type(error).__name__}), but the key is "
                    f"{'revoked' if gone else 'active'} on the platform and "
                    f"{'revoked' if revoked_here else 'active'} in TokenDeck"
                )

        # catalog and secret store agree
        pending = await svc.catalog.list_pending()
        if any(p.account_id == account.id for p in pending):
            problems.append(f"{when}: a secret save was left half done (pending intent)")
        for credential in credentials:
            if credential.secret_held and await svc.keeper.read(credential) is None:
                problems.append(f"{when}: {credential.label} points to a secret the store lacks")
        return problems

    async def _listing_problems(self, run: _Run) -> list[str]:
        """After a listing, the catalog's key states match the platform's exactly."""
        accounts = self.svc.accounts
        account = await accounts.get(run.account.id)
        try:
            await self.svc.keys.list_keys(account)
        except TokenDeckError as error:
            return [f"listing after recovery failed: {type(error).__name__}: {error.details()}"]
        keys = platform_keys(self.world, run.platform, run.who)
        problems = []
        for credential in await accounts.credentials(account):
            if credential.role != "key":
                continue
            remote = keys.get(credential.remote_id or "")
            active_there = remote is not None and remote.active
            revoked_here = credential.state is CredentialState.REVOKED
            if active_there == revoked_here:
                problems.append(
                    f"after a listing: key {credential.remote_id} is "
                    f"{'active' if active_there else 'revoked'} on the platform but "
                    f"'{credential.state.value}' in TokenDeck"
                )
        return problems


def matrix(
    platforms: tuple[Platform, ...] = PLATFORMS,
    variants: tuple[Variant, ...] = ALL_VARIANTS,
    ops: tuple[str, ...] = OPERATIONS,
) -> list[tuple[Platform, str, Variant]]:
    return [(p, op, v) for p in platforms for op in operations(p) if op in ops for v in variants]
