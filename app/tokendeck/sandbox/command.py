"""`tokendeck sandbox`: serve every emulated platform in the foreground until Ctrl+C."""

from __future__ import annotations

import argparse
import tempfile
import threading
from pathlib import Path

from tokendeck.sandbox.world import DEMO_USER, build_world

NAMES = {
    "dataloop": "Dataloop",
    "haut": "Haut.AI",
    "visual_layer": "Visual Layer",
    "trifacta": "Trifacta",
    "oauth2": "OAuth 2.0 / OIDC",
    "encord": "Encord",
}


def run_sandbox(args: argparse.Namespace) -> int:
    world = build_world()
    ports = {name: getattr(args, f"{name}_port", 0) or 0 for name in NAMES}
    world.start(ports)
    if args.token_lifetime:
        for control in (world.dataloop.control, world.haut.control):
            control.token_lifetime = args.token_lifetime
        world.oauth2.state.access_lifetime = args.token_lifetime
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
