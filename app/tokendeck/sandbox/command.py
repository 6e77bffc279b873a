"""`tokendeck sandbox`: serve the emulator in the foreground until Ctrl+C."""

from __future__ import annotations

import argparse
import threading

from tokendeck.sandbox.oidc import OidcIssuer
from tokendeck.sandbox.server import SandboxServer


def run_sandbox(args: argparse.Namespace) -> int:
    issuer = OidcIssuer(access_lifetime=args.token_lifetime)
    server = SandboxServer({"oauth2": issuer.app}, {"oauth2": args.oauth2_port}).start()
    print("TokenDeck sandbox (127.0.0.1 only). Press Ctrl+C to stop.\n")
    print(f"  OAuth 2.0 / OIDC issuer  {server.urls['oauth2']}")
    print(f"    discovery               {server.urls['oauth2']}/.well-known/openid-configuration")
    for client_id, secret in issuer.state.clients.items():
        print(f"    client                  {client_id} / {secret}  (sandbox-only credentials)")
    print(flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
