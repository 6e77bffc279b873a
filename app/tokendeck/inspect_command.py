"""`tokendeck inspect`: the Inspector on the command line.

Exit codes: 0 the token is well-formed and usable (and verified, if a key was given); 1 its
verdict is expired or invalid (bad signature, not yet valid, alg none, a broken claim), or a key
was given and did not verify it; 2 the input is not a token (or the key could not be read).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tokendeck.core.problems import Problem
from tokendeck.core.terminal import terminal_safe
from tokendeck.core.token_assess import AssessPolicy, assess
from tokendeck.core.token_decode import TokenFormatError, inspect_token
from tokendeck.core.token_report import to_dict, to_text
from tokendeck.core.verdict import State

if TYPE_CHECKING:
    from tokendeck.core.token_decode import Inspection
    from tokendeck.core.token_verify import VerificationKey

EXIT_OK, EXIT_PROBLEM, EXIT_NOT_A_TOKEN = 0, 1, 2


def run_inspect(args: argparse.Namespace) -> int:
    no_input = (
        "No token given: pass it as an argument or pipe it on standard input "
        "(tokendeck inspect - < file)."
    )
    if args.token == "-" and (sys.stdin is None or sys.stdin.isatty()):  # noqa: S105
        return _fail(args, "no_input", no_input)  # never wait on a terminal nobody types into
    text = sys.stdin.read() if args.token == "-" else args.token  # noqa: S105 - "-" means stdin
    if not text.strip():
        return _fail(args, "no_input", no_input)
    try:
        inspection = inspect_token(text)
    except TokenFormatError as exc:
        return _fail(args, exc.code, str(exc))
    now = datetime.now(UTC)
    leeway = timedelta(seconds=max(0.0, args.leeway))
    assessment = assess(inspection, now, AssessPolicy(leeway=leeway))
    signature, message = "not_verified", "Signature not verified: no key was given."
    extra: tuple[Problem, ...] = ()
    wants_key = any(
        (args.secret, args.secret_file, args.secret_base64, args.key, args.jwks_url, args.discover)
    )
    if wants_key:
        from tokendeck.core.token_verify import (
            KeyFormatError,
            KeyKind,
            VerifyOptions,
            load_any,
            load_keys,
            verify,
        )

        try:
            if args.secret is not None:
                keys = load_keys(KeyKind.HMAC_TEXT, args.secret)
            elif args.secret_file is not None:
                keys = load_keys(
                    KeyKind.HMAC_TEXT, Path(args.secret_file).read_text(encoding="utf-8")
                )
            elif args.secret_base64 is not None:
                keys = load_keys(KeyKind.HMAC_BASE64, args.secret_base64)
            elif args.key is not None:
                keys = load_any(Path(args.key).read_text(encoding="utf-8"))
            else:
                keys = asyncio.run(_fetch_keys(args, inspection))
        except (KeyFormatError, OSError) as exc:
            return _fail(args, "bad_key", f"Could not read the key: {exc}")
        except _FetchFailedError as exc:
            return _fail(args, "key_fetch_failed", str(exc))
        result = verify(inspection, keys, VerifyOptions(issuer=args.issuer, audience=args.audience))
        signature, message, extra = result.status.value, result.message, result.problems
    report = to_dict(
        inspection,
        assessment,
        now,
        signature=signature,
        signature_message=message,
        extra_problems=extra,
    )
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=True))
    else:
        print(terminal_safe(to_text(report, inspection, now)))
    bad_verdict = report["verdict"] in (State.EXPIRED, State.INVALID)
    bad_signature = wants_key and signature != "verified"
    return EXIT_PROBLEM if bad_verdict or bad_signature else EXIT_OK


class _FetchFailedError(Exception):
    pass


async def _fetch_keys(args: argparse.Namespace, inspection: Inspection) -> list[VerificationKey]:
    from tokendeck.services.key_lookup import KeyLookup, KeyLookupError

    lookup = KeyLookup()
    try:
        if args.jwks_url:
            return await lookup.from_jwks_url(args.jwks_url)
        return await lookup.from_issuer(inspection)
    except KeyLookupError as exc:
        raise _FetchFailedError(str(exc)) from exc
    finally:
        await lookup.aclose()


def _fail(args: argparse.Namespace, code: str, message: str) -> int:
    if args.json:
        print(json.dumps({"kind": None, "error": code, "message": message}))
    print(terminal_safe(f"tokendeck inspect: {message}"), file=sys.stderr)
    return EXIT_NOT_A_TOKEN
