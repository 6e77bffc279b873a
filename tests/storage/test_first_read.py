"""The first read of the accounts (storage/first_read.py): what the engine's catalog lists, in its
order, from a read-only connection; nothing (and no exception) for a missing, newer, damaged or
locked-out catalog."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tokendeck.core.models import Account, AccountStatus, Platform
from tokendeck.storage.catalog import SCHEMA_VERSION, Catalog
from tokendeck.storage.first_read import FirstRead, read_accounts


def _catalog(path: Path, names: list[str]) -> list[Account]:
    catalog = Catalog(path)
    try:
        for name in names:
            catalog.add_account(
                Account(id="", name=name, platform=Platform.HAUT, host="https://h.example.test")
            )
        catalog.set_account_status(catalog.list_accounts()[0].id, AccountStatus.SIGNED_IN, "")
        return catalog.list_accounts()
    finally:
        catalog.close()


def test_it_reads_what_the_catalog_lists_in_its_order(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    listed = _catalog(path, ["beta", "Alpha", "gamma", "ALPHA 2"])
    before = path.read_bytes()
    read = FirstRead.start(path)
    assert read.wait(10)
    assert read.accounts() == listed
    assert [a.name for a in listed] == ["Alpha", "ALPHA 2", "beta", "gamma"]
    assert path.read_bytes() == before, "a read-only connection writes nothing"


def test_nothing_for_a_missing_catalog(tmp_path: Path) -> None:
    read = FirstRead.start(tmp_path / "none.sqlite3")
    assert read.wait(10)
    assert read.accounts() is None
    assert not (tmp_path / "none.sqlite3").exists(), "it creates no file"


@pytest.mark.parametrize("version", [SCHEMA_VERSION - 1, SCHEMA_VERSION + 1])
def test_nothing_for_a_catalog_at_another_schema(tmp_path: Path, version: int) -> None:
    """A migration is the engine's to make (or to refuse: a newer TokenDeck's catalog)."""
    path = tmp_path / "catalog.sqlite3"
    _catalog(path, ["a"])
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version={version}")
    assert read_accounts(path) is None


def test_a_damaged_or_unreadable_catalog_is_left_to_the_engine(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    path.write_bytes(b"not a database" * 100)
    read = FirstRead.start(path)
    assert read.wait(10)
    assert read.accounts() is None
    if os.geteuid() != 0:  # root reads any file
        good = tmp_path / "good.sqlite3"
        _catalog(good, ["a"])
        good.chmod(0)
        read = FirstRead.start(good)
        assert read.wait(10)
        assert read.accounts() is None


def test_it_waits_no_longer_than_asked(tmp_path: Path) -> None:
    import time

    read = FirstRead(tmp_path / "catalog.sqlite3")  # not started: the read is not over
    assert read.accounts() is None
    began = time.monotonic()
    assert read.accounts(wait_at_most=0.2) is None
    assert 0.2 <= time.monotonic() - began < 5
    path = tmp_path / "listed.sqlite3"
    listed = _catalog(path, ["a", "b"])
    assert FirstRead.start(path).accounts(wait_at_most=10) == listed, "over while it waits"


def test_an_empty_catalog_reads_as_no_accounts(tmp_path: Path) -> None:
    """Not None: the window may say "No accounts yet" at once, the catalog says so."""
    path = tmp_path / "catalog.sqlite3"
    Catalog(path).close()
    assert read_accounts(path) == []
