"""Sign in ACCOUNTS accounts at once through the services, next to as many raw httpx logins.

Target (the "Real-sized profiles" issue), with the sandbox answering after 50 ms:
  A  signing in 50 accounts concurrently through `AccountsService.sign_in` ≤ 2× B;
  C  refreshing their 50 sessions concurrently through `AccountsService.refresh` ≤ 1.2× B;
  B  the reference: 50 concurrent POSTs to the same sandbox's login endpoint, from one
     `httpx.AsyncClient` made for the round (fresh connections included; its TLS context is
     made once beforehand, as the services' clients share one made once per process).

Everything runs in this process: the sandbox (`build_world().start()`, its own thread and event
loop, latency set through `POST /__sandbox/config`), and `AppServices.start` on a throw-away
profile. `--sandbox-process` runs the same sandbox in a process of its own instead, so that it
does not compete with the services for this process's GIL (as a real platform does not). The
secret store is the memory store, so the keyring does not count; `--keyring` uses the real
system keyring instead (only under scripts/desktop-session, whose keyring is private).

Each A round signs in accounts just added for the round (new users on the platform, no adapter
yet, no session held: the whole first sign-in), the previous round's accounts removed first;
adding and removing are not timed. C refreshes the sessions the last A made. Rounds are
interleaved A B C B A B C B …; medians are printed, with the ratios A/B and C/B.

  .venv/bin/python bench/sign_in.py [--accounts 50] [--latency 0.05] [-n 7] [--platform haut]
                                    [--sandbox-process]
  scripts/desktop-session .venv/bin/python bench/sign_in.py --keyring
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path

import httpx

from tokendeck.core.models import Account, Platform
from tokendeck.core.secret import Secret
from tokendeck.sandbox.world import build_world
from tokendeck.services.app_services import AppServices
from tokendeck.services.store_choice import VaultAction
from tokendeck.storage.profile import resolve_profile

LOGIN = {"haut": "/api/v1/auth/login/", "dataloop": "/token?default"}
PLATFORM = {"haut": Platform.HAUT, "dataloop": Platform.DATALOOP}
Users = list[tuple[str, str]]


class KeyringOnly:
    """The vault is never asked for: the keyring must be usable."""

    async def ask_password(
        self, action: VaultAction, reason: str, error: str | None
    ) -> Secret | None:
        raise SystemExit(f"the system keyring is not usable: {reason}")


def new_users(count: int) -> Users:
    return [
        (f"bench.{secrets.token_hex(6)}@sandbox.test", "tdbench-" + secrets.token_urlsafe(12))
        for _ in range(count)
    ]


def serve(platform: str, users: Users, conn: Connection) -> None:
    """In a process of its own (--sandbox-process): the sandbox with these users, its URL sent
    back, until the parent says stop."""
    world = build_world()
    for email, password in users:
        getattr(world, platform).add_user(email, password)
    world.start()
    conn.send(world.urls[platform])
    conn.recv()
    world.stop()


@contextlib.contextmanager
def sandbox(platform: str, users: Users, latency: float, separate: bool) -> Iterator[str]:
    """The platform's sandbox URL, every user registered, the latency set (admin endpoint)."""
    if separate:
        ours, theirs = multiprocessing.get_context("spawn").Pipe()
        child = multiprocessing.get_context("spawn").Process(
            target=serve, args=(platform, users, theirs), daemon=True
        )
        child.start()
        url = str(ours.recv())
        stop: Callable[[], None] = lambda: (ours.send("stop"), child.join(10))  # noqa: E731
    else:
        world = build_world()
        for email, password in users:
            getattr(world, platform).add_user(email, password)
        world.start()
        url, stop = world.urls[platform], world.stop
    try:
        httpx.post(
            f"{url}/__sandbox/config", json={"latency": latency}, timeout=5
        ).raise_for_status()
        yield url
    finally:
        stop()


class Bench:
    def __init__(self, url: str, services: AppServices, platform: str, rounds: list[Users]):
        self.url = url
        self.services = services
        self.platform = platform
        self.rounds = iter(rounds)
        self.users: Users = []
        self.accounts: list[Account] = []
        # Made once, as the services' clients share one (loading the trust store takes tens of
        # ms): B times a client and its connections, not the trust store.
        self.tls = httpx.create_ssl_context()

    async def fresh_accounts(self) -> None:
        """Untimed: remove the last round's accounts, add new ones (new users)."""
        for account in self.accounts:
            await self.services.sessions.remove(account)
        self.users = next(self.rounds)
        self.accounts = []
        for email, password in self.users:
            draft = Account(
                id="", name=f"Bench {email}", platform=PLATFORM[self.platform], host=self.url
            )
            self.accounts.append(
                await self.services.accounts.add(
                    draft, {"username": email}, {"password": Secret(password)}
                )
            )

    async def sign_in(self) -> None:
        signed = await asyncio.gather(*(self.services.sessions.sign_in(a) for a in self.accounts))
        self.accounts = list(signed)

    async def raw(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=30, verify=self.tls) as client:

            async def one(email: str, password: str) -> None:
                if self.platform == "haut":
                    body = {"username": email, "password": password}
                else:
                    body = {"username": email, "password": password, "type": "user_credentials"}
                response = await client.post(LOGIN[self.platform], json=body)
                response.raise_for_status()
                response.json()

            await asyncio.gather(*(one(e, p) for e, p in self.users))

    async def refresh(self) -> None:
        await asyncio.gather(*(self.services.sessions.refresh(a) for a in self.accounts))


async def timed(step: Callable[[], Awaitable[None]]) -> float:
    began = time.perf_counter()
    await step()
    return time.perf_counter() - began


async def run(
    args: argparse.Namespace, url: str, rounds: list[Users], profile_dir: Path
) -> dict[str, list[float]]:
    profile = resolve_profile(str(profile_dir))
    profile.ensure()
    services = await AppServices.start(
        profile.catalog_path,
        profile.vault_path,
        KeyringOnly(),
        memory_store=not args.keyring,
    )
    print(f"secret store: {services.store.description}")
    bench = Bench(url, services, args.platform, rounds)
    times: dict[str, list[float]] = {"A": [], "B": [], "C": []}
    try:
        # One untimed warm-up of each, so that first imports and caches do not count.
        await bench.fresh_accounts()
        await bench.sign_in()
        await bench.raw()
        await bench.refresh()
        for _ in range(args.n):
            await bench.fresh_accounts()
            times["A"].append(await timed(bench.sign_in))
            times["B"].append(await timed(bench.raw))
            times["C"].append(await timed(bench.refresh))
            times["B"].append(await timed(bench.raw))
    finally:
        await services.aclose()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds (default 0.05)")
    parser.add_argument("-n", type=int, default=7, help="rounds (default 7)")
    parser.add_argument("--platform", choices=sorted(PLATFORM), default="haut")
    parser.add_argument(
        "--keyring", action="store_true", help="the real keyring (under scripts/desktop-session)"
    )
    parser.add_argument(
        "--sandbox-process",
        action="store_true",
        help="the sandbox in a process of its own (not competing for this one's GIL)",
    )
    args = parser.parse_args()
    if args.keyring and os.environ.get("TOKENDECK_TEST_SESSION") != "1":
        parser.error("--keyring writes to the keyring: run it under scripts/desktop-session")
    logging.basicConfig(level=logging.WARNING)
    rounds = [new_users(args.accounts) for _ in range(args.n + 1)]
    every = [user for users in rounds for user in users]
    with (
        sandbox(args.platform, every, args.latency, args.sandbox_process) as url,
        tempfile.TemporaryDirectory(prefix="tdbench-") as profile_dir,
    ):
        times = asyncio.run(run(args, url, rounds, Path(profile_dir)))
    med = {k: statistics.median(v) for k, v in times.items()}
    labels = {
        "A": f"A sign in {args.accounts} accounts (services)",
        "B": f"B {args.accounts} raw httpx logins",
        "C": f"C refresh {args.accounts} sessions (services)",
    }
    where = "its own process" if args.sandbox_process else "this process"
    print(
        f"{args.platform}, {args.accounts} accounts, sandbox in {where}, "
        f"latency {args.latency * 1000:.0f} ms"
    )
    for key, label in labels.items():
        runs = ", ".join(f"{x * 1000:.0f}" for x in times[key])
        print(f"{label:42s}: median {med[key] * 1000:7.1f} ms  (runs: {runs})")
    print(f"sign in / raw: {med['A'] / med['B']:.2f} (target ≤ 2)")
    print(f"refresh / raw: {med['C'] / med['B']:.2f} (target ≤ 1.2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
