"""`tokendeck exec ACCOUNT [--env NAME] -- COMMAND…`: run COMMAND with a valid token of ACCOUNT
in its environment, renewed first as `tokendeck token` does.

The token goes into the child's environment only: never on a command line, never into
TokenDeck's own environment (the child's is a copy made for it). The variable is `--env`, else
the account's own choice (Edit account), else the platform's default (its spec's `exec_env`);
what the platform's SDK itself reads is added (Encord: the SSH key's content, a legacy key and
its resource). The child gets the user's umask back (TokenDeck runs under 077).

While it runs, TokenDeck waits: SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 sent to it are passed on;
Ctrl+C and Ctrl+\\ at the terminal reach the child directly (it is in the terminal's foreground
process group), so TokenDeck ignores them rather than deliver them twice. It exits with the
child's code, or 128 + N when a signal N ended the child, as a shell does; 127 when COMMAND is
not found, 126 when it cannot be run."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from tokendeck.core.models import is_env_name
from tokendeck.core.secret import Secret
from tokendeck.core.terminal import terminal_safe
from tokendeck.exit_codes import EXIT_INTERRUPTED, EXIT_PROBLEM, EXIT_USAGE
from tokendeck.token_command import TerminalPrompt, account_token, with_services

if TYPE_CHECKING:
    from tokendeck.services.app_services import AppServices

PREFIX = "tokendeck exec: "
EXIT_CANNOT_RUN, EXIT_NOT_FOUND_COMMAND = 126, 127  # as a shell says them
FORWARDED = (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2)
FROM_THE_TERMINAL = (signal.SIGINT, signal.SIGQUIT)


def run_exec(args: argparse.Namespace, user_umask: int) -> int:
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        _say("no command given: tokendeck exec ACCOUNT -- COMMAND [ARGUMENT…]")
        return EXIT_USAGE
    if args.env is not None and not is_env_name(args.env):
        _say(f"--env {args.env!r} is not a variable name (letters, digits and _).")
        return EXIT_USAGE
    try:
        found = asyncio.run(with_services(args, _variables))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    if isinstance(found, int):
        return found
    return run_child(command, found, user_umask)


async def _variables(
    args: argparse.Namespace, services: AppServices, prompt: TerminalPrompt, vault_path: Path
) -> dict[str, Secret] | int:
    """The variables to add for the child: the token under its name, and the platform's own."""
    from tokendeck.platforms.registry import BY_PLATFORM

    found = await account_token(args, services, prompt, vault_path, _say)
    if isinstance(found, int):
        return found
    account, token = found
    spec = BY_PLATFORM[account.platform]
    name = args.env or account.settings.exec_env or spec.exec_env
    variables: dict[str, Secret] = {}
    if spec.exec_extras is not None:
        secrets = await services.accounts.secret_inputs(account)
        try:
            variables.update(spec.exec_extras(account.settings.inputs, secrets))
        except ValueError as error:  # a key that cannot be read (EncordKeyError)
            _say(f"The credentials of {account.name} cannot be handed over: {error}")
            return EXIT_PROBLEM
    variables[name] = token
    for variable, value in variables.items():
        if not value.reveal() or "\0" in value.reveal():
            _say(f"The value for {variable} of {account.name} is empty or holds a NUL: not run.")
            return EXIT_PROBLEM
    return variables


def run_child(command: list[str], variables: Mapping[str, Secret], user_umask: int) -> int:
    """Run `command` with `variables` added to a copy of this environment; its exit code."""
    environment = dict(os.environ)
    environment.update({name: value.reveal() for name, value in variables.items()})
    previous = {sig: signal.getsignal(sig) for sig in (*FORWARDED, *FROM_THE_TERMINAL)}
    for sig in FROM_THE_TERMINAL:
        # A handler that does nothing, not SIG_IGN: an ignored signal stays ignored in the child
        # after exec, a handler goes back to the default there.
        signal.signal(sig, _ignore)
    try:
        try:
            child = subprocess.Popen(
                command, env=environment, umask=user_umask, restore_signals=True
            )
        except FileNotFoundError:
            _say(f"{command[0]}: command not found")
            return EXIT_NOT_FOUND_COMMAND
        except PermissionError:
            _say(f"{command[0]}: cannot be run (permission denied)")
            return EXIT_CANNOT_RUN
        finally:
            environment.clear()  # the copy holding the secrets is not kept
        for sig in FORWARDED:
            signal.signal(sig, lambda number, _frame: _pass_on(child, number))
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 - code if code < 0 else code


def _ignore(number: int, frame: object) -> None:
    """The terminal delivered it to the child too."""


def _pass_on(child: subprocess.Popen[bytes], number: int) -> None:
    if child.poll() is None:
        child.send_signal(number)


def _say(message: str) -> None:
    print(PREFIX + terminal_safe(message), file=sys.stderr)
