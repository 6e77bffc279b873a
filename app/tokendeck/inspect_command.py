"""`tokendeck inspect`: the Inspector on the command line.

Exit codes: 0 the token is well-formed and usable (and verified, if a key was given); 1 its
verdict is expired or invalid (bad signature, not yet valid, alg none, a broken claim), or a key
was given and did not verify it; 2 the input is not a token (or the key could not be read, or an
argument is out of range).

Total: whatever the arguments, the standard input or the files say, the command ends with an exit
code and sentences, never a traceback. Files and standard input are read with a size bound and as
bytes (a non-UTF-8 secret file is a binary HMAC secret, a DER `--key` is read as DER).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tokendeck.core.problems import Problem
from tokendeck.core.terminal import terminal_safe
from tokendeck.core.token_assess import AssessPolicy, assess
from tokendeck.core.token_decode import MAX_INPUT_CHARS, TokenFormatError, inspect_token
from tokendeck.core.token_report import to_dict, to_text
from tokendeck.core.verdict import State
from tokendeck.exit_codes import EXIT_NOT_A_TOKEN, EXIT_OK, EXIT_PROBLEM

if TYPE_CHECKING:
    from tokendeck.core.token_decode import Inspection
    from tokendeck.core.token_verify import VerificationResult, VerifyOptions
    from tokendeck.services.signature_check import KeySource

# Largest --leeway: 100 years. A leeway is meant for clock skew; beyond this it is a typo.
MAX_LEEWAY_SECONDS = 100 * 366 * 86_400
# Standard input and files are read up to these many bytes (a token is at most 256 KiB of text).
MAX_STDIN_BYTES = 4 * MAX_INPUT_CHARS
MAX_FILE_BYTES = 1024 * 1024


def leeway_seconds(text: str) -> float:
    """argparse `type=` for --leeway: a finite number of seconds from 0 to 100 years."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds, not {text[:40]!r}"
        ) from None
    problem = _leeway_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def _leeway_problem(value: float) -> str | None:
    if not math.isfinite(value) or not 0 <= value <= MAX_LEEWAY_SECONDS:
        return (
            f"must be a number of seconds from 0 to {MAX_LEEWAY_SECONDS} (100 years), not {value!r}"
        )
    return None


class _InputError(Exception):
    """Reading an input failed; the message is a sentence for a person."""


def _read_bounded(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise _InputError(f"Could not read the {what} {path!r}: {reason}.") from None
    if len(data) > MAX_FILE_BYTES:
        raise _InputError(
            f"The {what} {path!r} is larger than {MAX_FILE_BYTES // 1024} KiB: not a key."
        )
    return data


def _read_stdin() -> str:
    stream = sys.stdin
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # replaced by a text stream (tests, embedding)
        text = str(stream.read(MAX_STDIN_BYTES + 1))
        if len(text) > MAX_STDIN_BYTES:
            raise _InputError("The input is far too long to be a token.")
        return text
    data = buffer.read(MAX_STDIN_BYTES + 1)
    if len(data) > MAX_STDIN_BYTES:
        raise _InputError("The input is far too long to be a token.")
    try:
        return str(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _InputError("The input is not UTF-8 text, so it is not a token.") from None


def run_inspect(args: argparse.Namespace) -> int:
    no_input = (
        "No token given: pass it as an argument or pipe it on standard input "
        "(tokendeck inspect - < file)."
    )
    leeway_problem = _leeway_problem(float(args.leeway))
    if leeway_problem:
        return _fail(args, "bad_argument", f"argument --leeway: {leeway_problem}")
    if args.token == "-" and (sys.stdin is None or sys.stdin.isatty()):  # noqa: S105
        return _fail(args, "no_input", no_input)  # never wait on a terminal nobody types into
    try:
        text = _read_stdin() if args.token == "-" else args.token  # noqa: S105 - "-" is stdin
    except _InputError as exc:
        return _fail(args, "not_text", str(exc))
    except OSError as exc:
        return _fail(args, "no_input", f"Could not read standard input: {exc.strerror}.")
    if not text.strip():
        return _fail(args, "no_input", no_input)
    try:
        inspection = inspect_token(text)
    except TokenFormatError as exc:
        return _fail(args, exc.code, str(exc))
    now = datetime.now(UTC)
    leeway = timedelta(seconds=float(args.leeway))
    assessment = assess(inspection, now, AssessPolicy(leeway=leeway))
    signature, message = "not_verified", "Signature not verified: no key was given."
    extra: tuple[Problem, ...] = ()
    wants_key = any(
        (args.secret, args.secret_file, args.secret_base64, args.key, args.jwks_url, args.discover)
    )
    if wants_key:
        from tokendeck.core.token_verify import VerifyOptions
        from tokendeck.services.signature_check import KeyUnavailableError

        try:
            source = _key_source(args)
        except _InputError as exc:
            return _fail(args, "bad_key", str(exc))
        except OSError as exc:
            return _fail(args, "bad_key", f"Could not read the key: {exc}")
        options = VerifyOptions(issuer=args.issuer, audience=args.audience)
        try:
            result = asyncio.run(_check(inspection, source, options))
        except KeyUnavailableError as exc:
            return _fail(args, "key_fetch_failed" if exc.fetching else "bad_key", str(exc))
        signature, message, extra = result.status.value, result.message, result.problems
    report = to_dict(
        inspection,
        assessment,
        now,
        signature=signature,
        signature_message=message,
        extra_problems=extra,
        key_given=wants_key,
    )
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=True))
    else:
        _print_safely(terminal_safe(to_text(report, inspection, now)))
    return EXIT_PROBLEM if report["verdict"] in (State.EXPIRED, State.INVALID) else EXIT_OK


def _key_source(args: argparse.Namespace) -> KeySource:
    """Where the command line points for the key (files are read here, bounded)."""
    from tokendeck.core.token_verify import KeyKind
    from tokendeck.services.signature_check import KeyFrom, KeySource

    if args.secret is not None:
        return KeySource(KeyKind.HMAC_TEXT, args.secret)
    if args.secret_file is not None:
        return KeySource(KeyFrom.SECRET_FILE, raw=_read_bounded(args.secret_file, "secret file"))
    if args.secret_base64 is not None:
        return KeySource(KeyKind.HMAC_BASE64, args.secret_base64)
    if args.key is not None:
        return KeySource(KeyFrom.KEY_FILE, raw=_read_bounded(args.key, "key file"))
    if args.jwks_url:
        return KeySource(KeyFrom.JWKS_URL, args.jwks_url)
    return KeySource(KeyFrom.DISCOVER)


async def _check(
    inspection: Inspection, source: KeySource, options: VerifyOptions
) -> VerificationResult:
    from tokendeck.services.key_lookup import KeyLookup
    from tokendeck.services.signature_check import check_signature

    lookups: list[KeyLookup] = []

    def lookup() -> KeyLookup:
        if not lookups:
            lookups.append(KeyLookup())
        return lookups[0]

    try:
        return await check_signature(inspection, source, options, lookup)
    finally:
        for opened in lookups:
            await opened.aclose()


def _print_safely(text: str) -> None:
    """Print what a terminal with any encoding can show (an --issuer from a non-UTF-8 argv)."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        print(text.encode(encoding, "backslashreplace").decode(encoding, "replace"))
    except LookupError:  # an encoding name Python does not know
        print(text.encode("ascii", "backslashreplace").decode("ascii"))


def _fail(args: argparse.Namespace, code: str, message: str) -> int:
    if args.json:
        print(json.dumps({"kind": None, "error": code, "message": message}))
    print(terminal_safe(f"tokendeck inspect: {message}"), file=sys.stderr)
    return EXIT_NOT_A_TOKEN
