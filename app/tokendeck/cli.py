"""The `tokendeck` executable: the window by default, plus command-line verbs.

Verbs import only what they need: `tokendeck inspect` never imports Qt, so it starts about as fast
as `python -c "import jwt"`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tokendeck import __version__

EXIT_OK, EXIT_PROBLEM, EXIT_NOT_A_TOKEN = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tokendeck",
        description="Manage API keys and tokens for data platforms. With no verb, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"TokenDeck {__version__}")
    parser.add_argument(
        "--profile", metavar="DIR", help="keep every file under DIR (also TOKENDECK_PROFILE)"
    )
    parser.add_argument(
        "--demo", action="store_true", help="open on a throw-away profile wired to the sandbox"
    )
    parser.add_argument("--minimized", action="store_true", help="start hidden in the tray")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")

    inspect = verbs.add_parser(
        "inspect", help="decode and check a token (JWT, JWE, Trifacta, opaque)"
    )
    inspect.add_argument(
        "token", nargs="?", default="-", help="the token, or - to read standard input"
    )
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    key = inspect.add_mutually_exclusive_group()
    key.add_argument(
        "--secret",
        metavar="TEXT",
        help="HMAC secret (text; it shows in the process list: prefer --secret-file)",
    )
    key.add_argument("--secret-file", metavar="FILE", help="HMAC secret (text) read from FILE")
    key.add_argument("--secret-base64", metavar="B64", help="HMAC secret, base64 or base64url")
    key.add_argument("--key", metavar="FILE", help="PEM public key / certificate, JWK or JWKS file")
    key.add_argument("--jwks-url", metavar="URL", help="fetch the JWKS from URL")
    key.add_argument("--discover", action="store_true", help="OIDC discovery from the token's iss")
    inspect.add_argument(
        "--leeway", type=float, default=0.0, metavar="SECONDS", help="clock leeway"
    )
    inspect.add_argument("--issuer", help="require this iss")
    inspect.add_argument("--audience", help="require this aud")
    token = verbs.add_parser(
        "token", help="print a valid token of an account (refreshed if needed)"
    )
    token.add_argument("account", help="account name (case-insensitive) or id")

    sandbox = verbs.add_parser("sandbox", help="run the local platform emulator on 127.0.0.1")
    sandbox.add_argument(
        "--oauth2-port", type=int, default=0, metavar="PORT", help="0 picks a free port"
    )
    sandbox.add_argument(
        "--latency", type=float, default=0.0, metavar="SECONDS", help="added to every answer"
    )
    sandbox.add_argument(
        "--clock-offset",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="the platforms' clock skew",
    )
    sandbox.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND[:COUNT|@RATE]",
        help="inject 500, 503, 429, reset, timeout, malformed, truncated, redirect or drop_answer: "
        "for the next COUNT requests (default 1) or at RATE (0-1); repeatable",
    )
    sandbox.add_argument(
        "--seed", type=int, default=1, help="seed for rate faults (reproducible runs)"
    )
    sandbox.add_argument("--token-lifetime", type=int, default=300, metavar="SECONDS")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.verb == "inspect":
        from tokendeck.inspect_command import run_inspect

        return run_inspect(args)
    if args.verb == "token":
        from tokendeck.token_command import run_token

        return run_token(args)
    if args.verb == "sandbox":
        from tokendeck.sandbox.command import run_sandbox

        return run_sandbox(args)
    from tokendeck.bootstrap import run_gui

    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
