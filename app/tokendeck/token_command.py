"""`tokendeck token ACCOUNT`: print a valid token of an account for scripts, refreshing it first
when needed. Exit 0 with the token alone on stdout; otherwise one sentence on stderr and exit 1
when no token can be given now (secret store closed, not signed in, refresh failed, ...) or 2 when
there is no such profile or account. The codes live in `tokendeck.cli`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from tokendeck.core.errors import TokenDeckError
from tokendeck.core.secret import Secret
from tokendeck.core.terminal import terminal_safe
from tokendeck.exit_codes import (
    EXIT_INTERRUPTED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_PROBLEM,
)
from tokendeck.services.store_choice import PASSWORD_TRIES, VaultAction
from tokendeck.storage.profile import resolve_profile

if TYPE_CHECKING:
    from tokendeck.core.models import Account
    from tokendeck.services.app_services import AppServices

T = TypeVar("T")
# What a command does with the open services: (args, services, prompt, vault path) -> result.
ServicesBody = Callable[[argparse.Namespace, "AppServices", "TerminalPrompt", Path], Awaitable[T]]

PREFIX = "tokendeck token: "


class TerminalPrompt:
    """Asks the vault's master password on the terminal, and remembers why it could not."""

    def __init__(self) -> None:
        self.action: VaultAction | None = None
        self.reason = ""
        self.no_terminal = False
        self.asked = 0
        self.declined = False

    async def ask_password(
        self, action: VaultAction, reason: str, error: str | None
    ) -> Secret | None:
        self.action, self.reason = action, reason
        if action is VaultAction.CREATE:  # a vault is only ever created in the window
            return None
        if sys.stdin is None or not sys.stdin.isatty():
            self.no_terminal = True
            return None
        if error:
            _say(error)
        self.asked += 1
        try:
            return Secret(getpass.getpass("TokenDeck vault master password: "))
        except EOFError:
            self.declined = True
            return None


def closed_store_sentence(prompt: TerminalPrompt, vault_path: Path, store_message: str) -> str:
    """What is wrong and what to do, in one sentence, when no secret store could be opened."""
    if prompt.action is VaultAction.CREATE:
        return (
            f"The secret store is closed: the system keyring cannot be used ({prompt.reason.rstrip('.')}) and "
            "this profile has no vault, so its secrets are in the keyring: unlock the keyring "
            "(log in to the desktop session) and run the command again."
        )
    if prompt.action is VaultAction.UNLOCK and prompt.no_terminal:
        return (
            f"The secret store is closed: this profile keeps its secrets in the encrypted vault "
            f"({vault_path}) and there is no terminal to ask its master password on: run the "
            "command in a terminal, or move the secrets to the system keyring (Settings in "
            "TokenDeck's window)."
        )
    if prompt.action is VaultAction.UNLOCK and prompt.declined:
        return "The secret store is closed: no master password was given for the vault."
    if prompt.action is VaultAction.UNLOCK and prompt.asked >= PASSWORD_TRIES:
        return (
            f"The secret store is closed: the vault's master password was wrong "
            f"{prompt.asked} times; run the command again to retry."
        )
    return f"The secret store is closed: {store_message}"


def run_token(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_token(args))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED


async def _token(args: argparse.Namespace) -> int:
    return await with_services(args, _print_token)


async def with_services(args: argparse.Namespace, body: ServicesBody[T]) -> T | int:
    """Open the profile's services as a command does, run `body` with them and close them.
    EXIT_NOT_FOUND when there is no profile. Warnings (a storage check, a retry, ...) go to the
    profile's log, as the window's do, not to stderr: a script gets its answer, or one sentence."""
    from tokendeck.app_logging import configure_logging
    from tokendeck.services.app_services import AppServices

    profile = resolve_profile(args.profile)
    if not profile.catalog_path.exists():
        _say(f"No TokenDeck profile at {profile.data_dir}.")
        return EXIT_NOT_FOUND
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(profile.log_path)
    prompt = TerminalPrompt()
    try:
        services = await AppServices.start(profile.catalog_path, profile.vault_path, prompt)
        try:
            return await body(args, services, prompt, profile.vault_path)
        finally:
            await services.aclose()
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


async def account_token(
    args: argparse.Namespace,
    services: AppServices,
    prompt: TerminalPrompt,
    vault_path: Path,
    say: Callable[[str], None],
) -> tuple[Account, Secret] | int:
    """ACCOUNT and a valid token of it (renewed first when needed), else the exit code, with
    the reason said."""
    if services.store.description == "No secret store":
        say(closed_store_sentence(prompt, vault_path, services.store_message))
        return EXIT_PROBLEM
    try:
        account = await services.accounts.get(args.account)
    except TokenDeckError as error:
        say(error.message)
        return EXIT_NOT_FOUND
    try:
        token = await services.sessions.current_token(account)
    except TokenDeckError as error:
        say(error.details())
        return EXIT_PROBLEM
    return account, token


async def _print_token(
    args: argparse.Namespace,
    services: AppServices,
    prompt: TerminalPrompt,
    vault_path: Path,
) -> int:
    found = await account_token(args, services, prompt, vault_path, _say)
    if isinstance(found, int):
        return found
    account, token = found
    value = token.reveal()
    if not value or not value.isprintable():
        _say(f"The token of {account.name} is empty or holds control characters: not printed.")
        return EXIT_PROBLEM
    sys.stdout.write(value + "\n")
    return EXIT_OK


def _say(message: str) -> None:
    print(PREFIX + terminal_safe(message), file=sys.stderr)
