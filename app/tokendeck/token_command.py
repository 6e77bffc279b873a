"""`tokendeck token ACCOUNT`: print a valid token of an account for scripts, refreshing it first
when needed. Exit 0 with the token alone on stdout; otherwise a clear message on stderr and
exit 1 (not signed in, refresh failed, ...) or 2 (no such account, no secret store)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from tokendeck.core.errors import TokenDeckError
from tokendeck.core.secret import Secret
from tokendeck.services.store_choice import VaultAction
from tokendeck.storage.profile import resolve_profile


class TerminalPrompt:
    async def ask_password(
        self, action: VaultAction, reason: str, error: str | None
    ) -> Secret | None:
        if action is VaultAction.CREATE or not sys.stdin.isatty():
            return None
        if error:
            print(error, file=sys.stderr)
        return Secret(getpass.getpass("TokenDeck vault master password: "))


def run_token(args: argparse.Namespace) -> int:
    return asyncio.run(_token(args))


async def _token(args: argparse.Namespace) -> int:
    from tokendeck.services.app_services import AppServices

    profile = resolve_profile(args.profile)
    if not profile.catalog_path.exists():
        print(f"tokendeck token: no TokenDeck profile at {profile.data_dir}", file=sys.stderr)
        return 2
    services = await AppServices.start(profile.catalog_path, profile.vault_path, TerminalPrompt())
    try:
        if services.store.description == "No secret store":
            print(f"tokendeck token: {services.store_message}", file=sys.stderr)
            return 2
        try:
            account = await services.accounts.get(args.account)
        except TokenDeckError as error:
            print(f"tokendeck token: {error.message}", file=sys.stderr)
            return 2
        try:
            token = await services.accounts.current_token(account)
        except TokenDeckError as error:
            print(f"tokendeck token: {error.details()}", file=sys.stderr)
            return 1
        sys.stdout.write(token.reveal() + "\n")
        return 0
    finally:
        await services.aclose()
