"""`tokendeck sandbox`: serve every emulated platform in the foreground until Ctrl+C or SIGTERM.

Exit 0 when stopped that way, 1 when the emulator cannot start, 2 on a bad --fault (the values of
`tokendeck.cli`'s EXIT_OK, EXIT_PROBLEM and EXIT_USAGE; this layer may not import it)."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

from tokendeck.sandbox.control import DEMO_SESSION_LIFETIME, FAULT_KINDS
from tokendeck.sandbox.tls import SandboxPki, make_pki
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld, build_world

NAMES = {
    "dataloop": "Dataloop",
    "haut": "Haut.AI",
    "visual_layer": "Visual Layer",
    "trifacta": "Trifacta",
    "oauth2": "OAuth 2.0 / OIDC",
    "encord": "Encord",
}

EXIT_OK, EXIT_COULD_NOT_START, EXIT_USAGE = 0, 1, 2

Fault = tuple[str, int | None, float | None]


def parse_fault(text: str) -> Fault:
    """'503' -> (503, 1, None); '500:3' -> (500, 3, None); 'reset@0.2' -> (reset, None, 0.2)."""
    if "@" in text:
        kind, rate = text.split("@", 1)
        value = float(rate)
        if not 0 <= value <= 1:
            raise ValueError(f"rate must be between 0 and 1: {text}")
        return kind, None, value
    kind, _, count = text.partition(":")
    return kind, int(count or 1), None


def parse_faults(texts: list[str]) -> list[Fault]:
    """Every --fault, checked before anything starts; ValueError says which one is wrong."""
    faults = []
    for text in texts:
        try:
            fault = parse_fault(text)
        except ValueError as exc:
            raise ValueError(
                f"bad --fault {text!r}: KIND, KIND:COUNT or KIND@RATE ({exc})"
            ) from None
        if fault[0] not in FAULT_KINDS:
            raise ValueError(f"unknown fault {fault[0]!r}; one of {', '.join(FAULT_KINDS)}")
        if fault[1] is not None and fault[1] < 1:
            raise ValueError(f"bad --fault {text!r}: COUNT must be 1 or more")
        faults.append(fault)
    return faults


def configure(world: SandboxWorld, args: argparse.Namespace) -> None:
    faults = parse_faults(args.fault)
    for control in world.controls():
        control.seed = args.seed
        control.reset()
        control.latency = args.latency
        control.clock_offset = args.clock_offset
        control.launch_with(args.token_lifetime or None, None)
        for kind, count, rate in faults:
            if rate is not None:
                control.rates[kind] = rate
            else:
                control.queued.extend([(kind, None)] * (count or 1))
    if args.demo_lifetimes:
        world.use_demo_lifetimes()
    if args.token_lifetime:
        world.oauth2.state.access_lifetime = args.token_lifetime


def lifetimes_text(args: argparse.Namespace) -> str:
    """The lifetimes in effect, as the announcement prints them."""
    if args.token_lifetime:
        return f"every token and Dataloop API key lasts {args.token_lifetime} s (--token-lifetime)"
    if args.demo_lifetimes:
        return (
            f"sign-in and access tokens last {DEMO_SESSION_LIFETIME} s (--demo-lifetimes); "
            "API keys as documented"
        )
    return (
        "as documented (Dataloop sign-in 24 h and API keys 1 year, Haut.AI 1 h) or, where no "
        "lifetime is documented, chosen (Encord bearer 1 h, OAuth 2.0 1 h); "
        "--demo-lifetimes: 5 minutes"
    )


def run_sandbox(args: argparse.Namespace) -> int:
    try:
        parse_faults(args.fault)
    except ValueError as exc:
        print(f"tokendeck sandbox: {exc}", file=sys.stderr)
        return EXIT_USAGE
    world = build_world()
    ports = {name: getattr(args, f"{name}_port", 0) or 0 for name in NAMES}
    # One private folder for what is written for the person (Encord's SSH key, the throw-away CA
    # and host key of --tls), removed when the sandbox stops.
    folder = Path(tempfile.mkdtemp(prefix="tokendeck-sandbox-"))
    pki = make_pki(folder) if args.tls else None
    try:
        world.start(ports, pki)
    except RuntimeError:
        world.stop()
        shutil.rmtree(folder, ignore_errors=True)
        busy = f" (is port {args.oauth2_port} already in use?)" if args.oauth2_port else ""
        print(f"tokendeck sandbox: the emulator could not start{busy}", file=sys.stderr)
        return EXIT_COULD_NOT_START
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # a clean stop, as Ctrl+C
    try:
        configure(world, args)
        _announce(world, pki, folder, lifetimes_text(args))
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        world.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return EXIT_OK


def _announce(world: SandboxWorld, pki: SandboxPki | None, folder: Path, lifetimes: str) -> None:
    print("TokenDeck sandbox (127.0.0.1 only). Press Ctrl+C to stop.\n")
    if pki is not None:
        print(f"HTTPS, signed by a throw-away CA: {pki.ca_file}")
        print("(give that file as an account's CA certificate: Edit account, Connection)\n")
    for name, title in NAMES.items():
        print(f"  {title:<18} {world.urls[name]}")
    print("\nSeeded test users (sandbox-only credentials):")
    for title, creds in world.seeded():
        print(f"  {title:<18} {creds}")
    key_file = folder / "encord_ed25519"
    key_file.touch(0o600)
    key_file.write_text(world.encord_key)
    print(f"  {'Encord SSH key':<18} {key_file}  (sandbox-only, registered for {DEMO_USER})")
    print(f"\nLifetimes: {lifetimes}")
    print('\nFaults and lifetimes: POST <base>/__sandbox/faults {"kind": "503", "count": 2},')
    print(
        'POST <base>/__sandbox/config {"token_lifetime": 5, "latency": 0.1, "clock_offset": 0}',
        flush=True,
    )
