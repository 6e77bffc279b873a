"""`tokendeck exec ACCOUNT [--env NAME] -- COMMAND…`: run COMMAND with a valid token of ACCOUNT
in its environment, renewed first as `tokendeck token` does.

Once the token is in hand and every service is closed, TokenDeck *becomes* COMMAND
(`os.execvpe`, as `aws-vault exec` does): the same process, so every signal (Ctrl+C, Ctrl+Z, a
`kill`) reaches the command itself, its exit code or the signal that ended it is exactly its
own, nothing is left running if either is killed, and no copy of the secrets stays in a
TokenDeck process while the command runs. The token is only ever in the command's environment,
made for it: never on a command line, never in the environment TokenDeck started with.

The variable is `--env`, else the account's own choice (Edit account), else the platform's
default (its spec's `exec_env`); what the platform's SDK itself reads is added, and the
variables the SDK would read instead are removed (its spec's `exec_clears`: Encord's SDK takes
ENCORD_SSH_KEY_FILE over ENCORD_SSH_KEY). The command gets the user's umask back (TokenDeck
runs under 077), and the signals Python ignores (SIGPIPE, SIGXFSZ) back at their defaults.
COMMAND not found: 127; found but not runnable: 126, as a shell says them."""

from __future__ import annotations

import argparse
import asyncio
import errno
import os
import signal
import subprocess
import sys
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from tokendeck.core.models import env_name_problem
from tokendeck.core.secret import Secret
from tokendeck.core.terminal import terminal_safe
from tokendeck.exit_codes import EXIT_INTERRUPTED, EXIT_PROBLEM, EXIT_USAGE
from tokendeck.token_command import TerminalPrompt, account_token, with_services

if TYPE_CHECKING:
    from tokendeck.services.app_services import AppServices

PREFIX = "tokendeck exec: "
EXIT_CANNOT_RUN, EXIT_NOT_FOUND_COMMAND = 126, 127  # as a shell says them
NOT_FOUND = (errno.ENOENT, errno.ENOTDIR)
# Python sets these to "ignore" at start-up; an ignored signal stays ignored across exec.
PYTHON_IGNORES = tuple(
    getattr(signal, name) for name in ("SIGPIPE", "SIGXFSZ") if hasattr(signal, name)
)


def run_exec(args: argparse.Namespace, user_umask: int) -> int:
    command = list(args.command)
    if not command:
        _say("no command given: tokendeck exec ACCOUNT [--env NAME] -- COMMAND [ARGUMENT…]")
        return EXIT_USAGE
    if args.env is not None and (problem := env_name_problem(args.env)) is not None:
        _say(f"--env {args.env}: {problem}")
        return EXIT_USAGE
    try:
        found = asyncio.run(with_services(args, _variables))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    if isinstance(found, int):
        return found
    variables, clears = found
    return become(command, environment_for(os.environ, variables, clears), user_umask)


async def _variables(
    args: argparse.Namespace, services: AppServices, prompt: TerminalPrompt, vault_path: Path
) -> tuple[dict[str, Secret], tuple[str, ...]] | int:
    """The variables to add for the command (the token under its name, the platform's own) and
    those to remove; else the exit code, with the reason said."""
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
    if name in variables or name in spec.exec_clears:
        _say(
            f"{name} is where {account.name}'s platform SDK reads its own credentials: put the "
            "token in another variable (--env, or the account's Script variable)."
        )
        return EXIT_USAGE
    variables[name] = token
    for variable, value in variables.items():
        if not value.reveal() or "\0" in value.reveal():
            _say(f"The value for {variable} of {account.name} is empty or holds a NUL: not run.")
            return EXIT_PROBLEM
    return variables, spec.exec_clears


def environment_for(
    base: Mapping[str, str], variables: Mapping[str, Secret], clears: Collection[str]
) -> dict[str, str]:
    """`base` without the variables in `clears`, with `variables` added: the command's own."""
    environment = {k: v for k, v in base.items() if k not in clears}
    environment.update({name: value.reveal() for name, value in variables.items()})
    return environment


def become(command: list[str], environment: dict[str, str], user_umask: int) -> int:
    """Replace this process with `command`; returns only when it could not be started (126 or
    127, said on stderr)."""
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "nt":  # no exec there: run it and pass its exit code on
        return subprocess.call(command, env=environment)
    previous = os.umask(user_umask)
    saved = {sig: signal.getsignal(sig) for sig in PYTHON_IGNORES}
    for sig in PYTHON_IGNORES:
        signal.signal(sig, signal.SIG_DFL)
    try:
        os.execvpe(command[0], command, environment)  # noqa: S606 (the person's command)
    except OSError as exc:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        os.umask(previous)
        if exc.errno in NOT_FOUND:
            _say(f"{command[0]}: command not found")
            return EXIT_NOT_FOUND_COMMAND
        _say(f"{command[0]}: cannot be run ({exc.strerror or type(exc).__name__})")
        return EXIT_CANNOT_RUN
    finally:
        environment.clear()


def _say(message: str) -> None:
    print(PREFIX + terminal_safe(message), file=sys.stderr)
