"""`tokendeck sandbox`: serve every emulated platform in the foreground until Ctrl+C."""

from __future__ import annotations

import argparse
import tempfile
import threading
from pathlib import Path

from tokendeck.sandbox.control import FAULT_KINDS
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld, build_world

NAMES = {
    "dataloop": "Dataloop",
    "haut": "Haut.AI",
    "visual_layer": "Visual Layer",
    "trifacta": "Trifacta",
    "oauth2": "OAuth 2.0 / OIDC",
    "encord": "Encord",
}


def parse_fault(text: str) -> tuple[str, int | None, float | None]:
    """'503' -> (503, 1, None); '500:3' -> (500, 3, None); 'reset@0.2' -> (reset, None, 0.2)."""
    if "@" in text:
        kind, rate = text.split("@", 1)
        value = float(rate)
        if not 0 <= value <= 1:
            raise ValueError(f"rate must be between 0 and 1: {text}")
        return kind, None, value
    kind, _, count = text.partition(":")
    return kind, int(count or 1), None


def configure(world: SandboxWorld, args: argparse.Namespace) -> None:
    controls = [
        world.dataloop.control,
        world.haut.control,
        world.visual_layer.control,
        world.trifacta.control,
        world.encord.control,
    ]
    faults = [parse_fault(f) for f in args.fault]
    for control in controls:
        control.seed = args.seed
        control.reset()
        control.latency = args.latency
        control.clock_offset = args.clock_offset
        if args.token_lifetime:
            control.token_lifetime = args.token_lifetime
        for kind, count, rate in faults:
            if kind not in FAULT_KINDS:
                raise SystemExit(
                    f"tokendeck sandbox: unknown fault {kind!r}; one of {', '.join(FAULT_KINDS)}"
                )
            if rate is not None:
                control.rates[kind] = rate
            else:
                control.queued.extend([(kind, None)] * (count or 1))
    if args.token_lifetime:
        world.oauth2.state.access_lifetime = args.token_lifetime


def run_sandbox(args: argparse.Namespace) -> int:
    world = build_world()
    ports = {name: getattr(args, f"{name}_port", 0) or 0 for name in NAMES}
    world.start(ports)
    configure(world, args)
    print("TokenDeck sandbox (127.0.0.1 only). Press Ctrl+C to stop.\n")
    for name, title in NAMES.items():
        print(f"  {title:<18} {world.urls[name]}")
    print("\nSeeded test users (sandbox-only credentials):")
    for title, creds in world.seeded():
        print(f"  {title:<18} {creds}")
    key_file = Path(tempfile.mkdtemp(prefix="tokendeck-sandbox-")) / "encord_ed25519"
    key_file.write_text(world.encord_key)
    key_file.chmod(0o600)
    print(f"  {'Encord SSH key':<18} {key_file}  (sandbox-only, registered for {DEMO_USER})")
    print('\nFaults and lifetimes: POST <base>/__sandbox/faults {"kind": "503", "count": 2},')
    print(
        'POST <base>/__sandbox/config {"token_lifetime": 5, "latency": 0.1, "clock_offset": 0}',
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        world.stop()
    return 0
