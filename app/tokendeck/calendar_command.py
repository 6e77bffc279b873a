"""`tokendeck calendar [--days N]`: the upcoming expiries of keys and tokens as an iCalendar file
on standard output (`tokendeck calendar > expiries.ics`), one event per credential with an alarm
at its first warning threshold, as the window's File > Export expiries to calendar writes it.

Reads the catalog and the profile's settings (warning thresholds, automatic refresh) only: no
secret store is opened, so it asks no password and needs no keyring. One sentence on standard
error says how many events it wrote."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from tokendeck.core.settings import AppSettings
from tokendeck.core.terminal import terminal_safe
from tokendeck.exit_codes import EXIT_INTERRUPTED, EXIT_NOT_FOUND, EXIT_OK, EXIT_PROBLEM
from tokendeck.storage.profile import resolve_profile

PREFIX = "tokendeck calendar: "


def run_calendar(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_calendar(args))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED


async def _calendar(args: argparse.Namespace) -> int:
    from tokendeck.core.clock import SystemClock
    from tokendeck.core.errors import LocalStorageError
    from tokendeck.services.expiry_calendar import calendar_text
    from tokendeck.services.standing import ExpiryPolicy
    from tokendeck.storage.async_catalog import AsyncCatalog

    profile = resolve_profile(args.profile)
    if not profile.catalog_path.exists():
        _say(f"No TokenDeck profile at {profile.data_dir}.")
        return EXIT_NOT_FOUND
    settings = _settings(profile.settings_path)
    policy = ExpiryPolicy(thresholds=settings.thresholds, auto_refresh=settings.auto_refresh)
    try:
        catalog = await AsyncCatalog.open(profile.catalog_path)
        try:
            text, count = await calendar_text(catalog, policy, SystemClock().now(), args.days)
        finally:
            await catalog.aclose()
    except LocalStorageError as error:
        _say(str(error))
        return EXIT_PROBLEM
    try:
        sys.stdout.buffer.write(text.encode())
        sys.stdout.buffer.flush()
    except BrokenPipeError:  # the reader went away (| head): nothing more to say, to anyone
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PROBLEM
    what = "1 expiry" if count == 1 else f"{count} expiries"
    _say(f"{what} in the next {args.days} days.")
    return EXIT_OK


def _settings(path: Path) -> AppSettings:
    """The profile's settings as the window keeps them (QSettings' INI file)."""
    from PySide6.QtCore import QSettings

    from tokendeck.ui.settings_store import load_settings

    return load_settings(QSettings(str(path), QSettings.Format.IniFormat))


def _say(message: str) -> None:
    print(PREFIX + terminal_safe(message), file=sys.stderr)
