"""The `tokendeck` executable: the window by default, plus command-line verbs.

Verbs import only what they need: `tokendeck inspect` never imports Qt, so it starts about as fast
as `python -c "import jwt"`.

Longer than most modules: every verb's options and help are here, so `--help` and a bad command
line import nothing of the verbs.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence

from tokendeck import __version__

# Each verb's --help ends with what it means by its exit codes (exit_codes.py).
from tokendeck.exit_codes import (
    CALENDAR_EXIT_CODES,
    EXEC_EXIT_CODES,
    EXIT_PROBLEM,
    IMPORT_EXIT_CODES,
    INSPECT_EXIT_CODES,
    SANDBOX_EXIT_CODES,
    TOKEN_EXIT_CODES,
    TOP_EXIT_CODES,
)


def _add_profile(parser: argparse.ArgumentParser, default: str | None) -> None:
    parser.add_argument(
        "--profile",
        metavar="DIR",
        default=default,
        help="keep every file under DIR (default: $TOKENDECK_PROFILE, else the user's data dir)",
    )


def _text(paragraph: str) -> str:
    """A description filled to 78 columns (the raw formatter, kept for the epilogs, won't)."""
    return textwrap.fill(paragraph, width=78)


def _verb_parser(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    description: str,
    epilog: str,
) -> argparse.ArgumentParser:
    return verbs.add_parser(
        name,
        help=summary,
        description=_text(description),
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _seconds(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds: {text}")
    return value


DEFAULT_CALENDAR_DAYS, MAX_CALENDAR_DAYS = 90, 3660  # services.expiry_calendar's, unimported


def _days(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_CALENDAR_DAYS:
        raise argparse.ArgumentTypeError(f"must be 1 to {MAX_CALENDAR_DAYS} days: {text}")
    return value


def _add_window_options(parser: argparse.ArgumentParser) -> None:
    _add_profile(parser, None)
    parser.add_argument(
        "--demo", action="store_true", help="open on a throw-away profile wired to the sandbox"
    )
    parser.add_argument("--minimized", action="store_true", help="start hidden in the tray")


WINDOW_FLAGS = ("--demo", "--minimized")


def window_only(words: Sequence[str]) -> bool:
    """The words hold only the window's own options (--profile DIR, --demo, --minimized): no
    verb, no --help, nothing argparse would refuse."""
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if word in WINDOW_FLAGS or (word.startswith("--profile=") and len(word) > 10):
            continue
        if word == "--profile" and rest and not rest[0].startswith("-"):
            rest.pop(0)
            continue
        return False
    return True


def parse_window_options(words: Sequence[str]) -> argparse.Namespace:
    """What `build_parser()` gives for `window_only` words, without building every verb's
    parser (a tenth of the time to the window's first paint goes to argparse otherwise)."""
    parser = argparse.ArgumentParser(prog="tokendeck")
    _add_window_options(parser)
    args = parser.parse_args(list(words))
    args.verb = None
    return args


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tokendeck",
        description=_text(
            "Manage API keys and tokens for data platforms. With no verb, opens the window. "
            "--profile may also follow the verb (tokendeck token --profile DIR ACCOUNT)."
        ),
        epilog=TOP_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"TokenDeck {__version__}")
    _add_window_options(parser)
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")

    inspect = _verb_parser(
        verbs,
        "inspect",
        "decode and check a token (JWT, JWE, Trifacta, opaque)",
        "Decode a token and check it as the Inspector does: its kind, header and payload, each "
        "time claim with a countdown, the problems found, and its signature when a key is "
        "given (otherwise it says the signature is not verified). TOKEN may be a bare token, or "
        "'Bearer ...' or 'Authorization: Bearer ...'; with - (the default) it is read from "
        "standard input. Needs no profile and never loads Qt.",
        INSPECT_EXIT_CODES,
    )
    inspect.add_argument(
        "token",
        nargs="?",
        default="-",
        metavar="TOKEN",
        help="the token, or - (the default) to read standard input",
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
        "--leeway", type=_leeway, default=0.0, metavar="SECONDS", help="clock leeway"
    )
    inspect.add_argument("--issuer", help="require this iss")
    inspect.add_argument("--audience", help="require this aud")

    token = _verb_parser(
        verbs,
        "token",
        "print a valid token of an account (refreshed if needed)",
        'Print a valid token of ACCOUNT for scripts, e.g. curl -H "Authorization: Bearer '
        '$(tokendeck token dataloop)". A token with less than a minute left is renewed first. '
        "Only the token goes to standard output; every "
        "message goes to standard error. When the profile's secrets are in the encrypted vault, "
        "its master password is asked on the terminal.",
        TOKEN_EXIT_CODES,
    )
    token.add_argument("account", metavar="ACCOUNT", help="account name (case-insensitive) or id")
    # The sub-parser's copy must not put its default over a --profile given before the verb.
    _add_profile(token, argparse.SUPPRESS)

    run = _verb_parser(
        verbs,
        "exec",
        "run a command with a valid token of an account in its environment",
        "Run COMMAND with a valid token of ACCOUNT in its environment (renewed first, as "
        "tokendeck token does), e.g. tokendeck exec dataloop -- python sync.py. The token is in "
        "the variable named by --env, else the one chosen for the account (Edit account), else "
        "the platform's: DATALOOP_TOKEN, HAUT_AI_TOKEN, ENCORD_TOKEN, VISUAL_LAYER_TOKEN, "
        "TRIFACTA_TOKEN, ACCESS_TOKEN (OAuth 2.0), TOKEN (pasted). For Encord the SDK's own "
        "variables are set too: ENCORD_SSH_KEY (the key, without its passphrase) or "
        "ENCORD_API_KEY and ENCORD_PROJECT_ID (and any other ENCORD_ credential variable is "
        "removed). The token is never on a command line nor in the environment TokenDeck was "
        "started with. Everything after -- is the command's, options included. TokenDeck then "
        "becomes the command (exec): signals, the terminal and the exit code are the "
        "command's own.",
        EXEC_EXIT_CODES,
    )
    # The command is what follows `--`, cut off before parsing (parse_command_line): nothing
    # after it is read as one of TokenDeck's options.
    run.usage = "tokendeck exec [-h] [--env NAME] [--profile DIR] ACCOUNT -- COMMAND [ARGUMENT...]"
    run.add_argument("account", metavar="ACCOUNT", help="account name (case-insensitive) or id")
    run.add_argument("--env", metavar="NAME", help="the variable to put the token in")
    _add_profile(run, argparse.SUPPRESS)

    calendar = _verb_parser(
        verbs,
        "calendar",
        "print upcoming expiries as an iCalendar file (.ics)",
        "Print the keys and tokens to replace in the next DAYS days as an iCalendar file, e.g. "
        "tokendeck calendar > expiries.ics, to import into a calendar: one event at each "
        "expiry, with an alarm at its first warning threshold (the account's, else Settings'). "
        "Sessions TokenDeck renews by itself are left out. Reads the catalog only: no password "
        "is asked and no secret is read.",
        CALENDAR_EXIT_CODES,
    )
    calendar.add_argument(
        "--days",
        type=_days,
        default=DEFAULT_CALENDAR_DAYS,
        metavar="N",
        help="how far ahead (default: %(default)s)",
    )
    _add_profile(calendar, argparse.SUPPRESS)

    importing = _verb_parser(
        verbs,
        "import",
        "import credentials lying in plaintext files (dtlpy's cookie.json, .env, SSH keys)",
        "Find credentials in plaintext files and import the chosen ones into the secret store: "
        "the Dataloop SDK's cookie.json (each sign-in becomes a Dataloop account holding that "
        "session, renewed with its refresh token), an Encord SSH private key file (an Encord "
        "account), and .env files with the variables TokenDeck knows (DATALOOP_TOKEN and the "
        "other tokendeck exec variables become tracked tokens; ENCORD_SSH_KEY, "
        "ENCORD_SSH_KEY_FILE and ENCORD_API_KEY with ENCORD_PROJECT_ID become Encord accounts). "
        "With no PATH, the usual places: ~/.dataloop/cookie.json ($DATALOOP_PATH), and .env in "
        "the current and the home directory. What was found is listed masked; on a terminal it "
        "asks which to import, then whether to take the plaintext copies out of their files "
        "(only those read back from the secret store, and only while the file still holds "
        "them). Without a terminal, --yes and --remove-plaintext say so.",
        IMPORT_EXIT_CODES,
    )
    importing.add_argument("paths", nargs="*", metavar="PATH", help="files to read")
    importing.add_argument("--list", action="store_true", help="only list what was found")
    importing.add_argument("--yes", action="store_true", help="import everything found")
    importing.add_argument(
        "--remove-plaintext",
        action="store_true",
        help="then take the plaintext copies out of their files",
    )
    _add_profile(importing, argparse.SUPPRESS)

    sandbox = _verb_parser(
        verbs,
        "sandbox",
        "run the local platform emulator on 127.0.0.1",
        "Serve the local emulator of every platform (Dataloop, Haut.AI, Visual Layer, Trifacta, "
        "OAuth 2.0 / OIDC, Encord) on 127.0.0.1 in the foreground, and print each base URL and "
        "the seeded test users (sandbox-only credentials). Faults and lifetimes can also be "
        "changed while it runs: POST <base>/__sandbox/faults or <base>/__sandbox/config. "
        "Stops on Ctrl+C or SIGTERM.",
        SANDBOX_EXIT_CODES,
    )
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
    sandbox.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a certificate from a throw-away CA (its file is printed: give it "
        "as an account's CA certificate, Edit account > Connection)",
    )
    sandbox.add_argument(
        "--demo-lifetimes",
        action="store_true",
        help="sign-in and access tokens last 5 minutes, so renewal shows quickly (as in "
        "tokendeck --demo); API keys keep their documented lifetimes. Without it, each "
        "platform's documented lifetimes hold (a Dataloop token 24 h, its API keys 1 year)",
    )
    sandbox.add_argument(
        "--token-lifetime",
        type=_seconds,
        default=0,
        metavar="SECONDS",
        help="how long, in seconds, every token the platforms issue stays valid: sign-in and "
        "access tokens, and Dataloop API keys (for tests of expiry; default 0: each platform's "
        "documented lifetime)",
    )
    return parser


def _leeway(text: str) -> float:
    """argparse `type=` for --leeway (imported only when the option is given)."""
    from tokendeck.inspect_command import leeway_seconds

    return leeway_seconds(text)


PRIVATE_UMASK = 0o077
SANDBOX_MODULES = ("starlette", "uvicorn")  # the `sandbox` extra (pyproject.toml)


def sandbox_missing() -> str | None:
    """Why the sandbox cannot run here (its extra is not installed), else None."""
    import importlib.util

    if getattr(sys, "frozen", False):  # the standalone bundle (packaging/pyinstaller)
        return (
            "the standalone build leaves out the sandbox, an optional part for trying TokenDeck "
            "and testing it. Install TokenDeck with it to use it: pipx install 'tokendeck[sandbox]'"
        )
    missing = [m for m in SANDBOX_MODULES if importlib.util.find_spec(m) is None]
    if not missing:
        return None
    return (
        f"the sandbox is an optional part and is not installed here ({', '.join(missing)} "
        "missing). Install it with: pip install 'tokendeck[sandbox]' (pipx: pipx inject "
        "tokendeck starlette uvicorn)"
    )


def split_command(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """`tokendeck … exec ACCOUNT [options] -- COMMAND…` cut at its `--`: what argparse reads, and
    the command untouched (None when there is no `--` after the verb). Options may then come
    anywhere before the `--`."""
    if "exec" not in argv:
        return argv, None
    verb = argv.index("exec")
    if "--" not in argv[verb:]:
        return argv, None
    cut = argv.index("--", verb)
    return argv[:cut], argv[cut + 1 :]


def parse_command_line(parser: argparse.ArgumentParser, words: list[str]) -> argparse.Namespace:
    """The arguments, with `exec`'s command taken whole from after its `--`."""
    words, command = split_command(words)
    args = parser.parse_args(words)
    if command is not None and args.verb != "exec":
        parser.error("-- COMMAND goes with tokendeck exec")
    if args.verb == "exec":
        args.command = command or []
    return args


def main(argv: Sequence[str] | None = None) -> int:
    # Every file and directory TokenDeck creates (catalog and its -wal / -shm, vault, lock files,
    # logs, settings, sockets) is private to the user: one umask, set before anything is created.
    user_umask = os.umask(PRIVATE_UMASK)  # what `exec` gives its command back
    words = list(sys.argv[1:] if argv is None else argv)
    if window_only(words):
        return _open_window(parse_window_options(words))
    parser = build_parser()
    args = parse_command_line(parser, words)
    if args.verb is not None and (args.demo or args.minimized):
        parser.error(f"--demo and --minimized open the window: they do not go with {args.verb}")
    if args.verb == "inspect":
        from tokendeck.inspect_command import run_inspect

        return run_inspect(args)
    if args.verb == "token":
        from tokendeck.token_command import run_token

        return run_token(args)
    if args.verb == "calendar":
        from tokendeck.calendar_command import run_calendar

        return run_calendar(args)
    if args.verb == "import":
        from tokendeck.import_command import run_import

        return run_import(args)
    if args.verb == "exec":
        from tokendeck.exec_command import run_exec

        return run_exec(args, user_umask)
    if args.verb == "sandbox":
        why = sandbox_missing()
        if why is not None:
            print(f"tokendeck sandbox: {why}", file=sys.stderr)
            return EXIT_PROBLEM
        from tokendeck.sandbox.command import run_sandbox

        return run_sandbox(args)
    return _open_window(args)


def _open_window(args: argparse.Namespace) -> int:
    if args.demo:
        why = sandbox_missing()
        if why is not None:
            print(f"tokendeck --demo: {why}", file=sys.stderr)
            return EXIT_PROBLEM
    from tokendeck.bootstrap import run_gui

    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
