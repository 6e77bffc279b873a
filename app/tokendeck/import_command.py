"""`tokendeck import [PATH...]`: find credentials lying in plaintext files (the Dataloop SDK's
cookie.json, an Encord SSH key file, .env files), import the chosen ones into the secret store as
accounts or tracked tokens, read each back, and take the plaintext copies out of their files
when asked. With no PATH, the usual places (see services/plaintext_finds.usual_places).

What was found goes to standard output, masked; questions and messages to standard error. With
no terminal, nothing is imported without --yes and no file is changed without
--remove-plaintext."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tokendeck.core.terminal import terminal_safe
from tokendeck.exit_codes import EXIT_INTERRUPTED, EXIT_NOT_FOUND, EXIT_OK, EXIT_PROBLEM
from tokendeck.token_command import TerminalPrompt, closed_store_sentence, with_services

if TYPE_CHECKING:
    from tokendeck.services.app_services import AppServices
    from tokendeck.services.plaintext_model import Find, Imported

PREFIX = "tokendeck import: "
ASK_TIMES = 3


def run_import(args: argparse.Namespace) -> int:
    try:
        result = asyncio.run(with_services(args, _import))
    except (KeyboardInterrupt, EOFError):
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    return int(result)


async def _import(
    args: argparse.Namespace, services: AppServices, prompt: TerminalPrompt, vault: Path
) -> int:
    imports = services.imports
    paths = [Path(p) for p in args.paths] or await imports.usual_places()
    if not paths:
        _say(
            "Nothing in the usual places (~/.dataloop/cookie.json, .env here or at home): "
            "give the files to read."
        )
        return EXIT_NOT_FOUND
    scanned = await imports.scan(paths)
    for problem in scanned.problems:
        _say(problem)
    if not scanned.finds:
        _say("Nothing to import.")
        return EXIT_NOT_FOUND
    for number, find in enumerate(scanned.finds, 1):
        _show(number, find)
    if args.list:
        return EXIT_OK
    chosen = _choose(scanned.finds, args.yes)
    if not chosen:
        _say("Nothing imported." + ("" if _asks() else " Run with --yes to import them all."))
        return EXIT_OK
    if services.store.description == "No secret store":
        _say(closed_store_sentence(prompt, vault, services.store_message))
        return EXIT_PROBLEM
    imported = await imports.import_finds(chosen)
    for item in imported:
        _out(f"{item.outcome.value}: {item.find.what}. {item.message}")
    failed = any(not i.verified for i in imported)
    verified = [i for i in imported if i.verified]
    if verified and _remove_asked(verified, args.remove_plaintext):
        for result in await imports.remove_plaintext(verified):
            _out(result.message)
            failed = failed or result.failed
    elif verified:
        _say("The plaintext copies stay where they are: --remove-plaintext takes them out.")
    return EXIT_PROBLEM if failed else EXIT_OK


def _show(number: int, find: Find) -> None:
    lines = [
        f"{number}. {find.what} [{find.shown}]",
        f"   in {find.source}, {find.place}",
        f"   becomes the {find.becomes}. {find.note}".rstrip(),
    ]
    for line in lines:
        _out(line)


def _asks() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _ask(question: str) -> str:
    sys.stderr.write(_one_line(question))
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if not answer:
        raise EOFError
    return answer.strip()


def _choose(finds: Sequence[Find], yes: bool) -> list[Find]:
    if yes:
        return list(finds)
    if not _asks():
        return []
    for _ in range(ASK_TIMES):
        answer = _ask("Import which? Numbers (1 3), all, or Enter for none: ").casefold()
        if answer in ("", "none", "n", "no"):
            return []
        if answer in ("all", "a", "y", "yes"):
            return list(finds)
        words = answer.replace(",", " ").split()
        if all(w.isdigit() and 1 <= int(w) <= len(finds) for w in words):
            return [finds[i - 1] for i in sorted({int(w) for w in words})]
        _say(f"Give numbers from 1 to {len(finds)}, or all.")
    return []


def _remove_asked(verified: Sequence[Imported], flag: bool) -> bool:
    if flag:
        return True
    if not _asks():
        return False
    files = sorted({str(i.find.source) for i in verified})
    answer = _ask(
        f"Take the plaintext copies out of {', '.join(files)} (read back from the secret store, "
        "so nothing is lost)? [y/N] "
    )
    return answer.casefold() in ("y", "yes")


def _one_line(text: str) -> str:
    """Text from files (names, places) on one terminal line: no escape, no line break that
    could forge a line of its own."""
    return terminal_safe(text.replace("\r", " ").replace("\n", " "))


def _out(line: str) -> None:
    sys.stdout.write(_one_line(line) + "\n")


def _say(message: str) -> None:
    print(PREFIX + _one_line(message), file=sys.stderr)
