"""Reliability figures of the secret stores (the encrypted vault and the real system keyring).

    scripts/desktop-session .venv/bin/python bench/reliability_stores.py

(a) writers: the services as the window runs them plus 20 `tokendeck token`-like processes
    make 1,000 changes to one store at once (new secrets, rotations, deletes, and rotations of
    three shared refresh tokens); then every ref is checked against the history.
(b) SIGKILL: 200 kills per store of a child keeping / rotating / deleting secrets; after each
    one every committed secret must read back; at the end nothing may remain after deleting all.
(c) disk full: a child adds secrets to a vault until RLIMIT_FSIZE (a quota) or a 256 KiB tmpfs
    (ENOSPC, when a private mount namespace is allowed) runs out.

The scenarios live in tests/storage/reliability.py; the normal test run has fast versions
(tests/storage/test_reliability.py, test_crash.py). Exit status 1 if anything was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.storage.reliability import (  # noqa: E402 - after the path is set
    run_crash_trials,
    run_disk_full_rlimit,
    run_disk_full_tmpfs,
    run_writers,
)

HEADER = ("scenario", "store", "size", "done", "errors", "lost", "leftovers", "seconds")


def _row(*cells: object) -> tuple[str, ...]:
    return tuple("-" if c is None else str(c) for c in cells)


async def run(args: argparse.Namespace) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="td-reliability-") as tmp:
        root = Path(tmp)
        for kind in args.stores:
            if "writers" in args.only:
                result = await run_writers(root / f"w-{kind}", kind, args.writers, args.operations)
                rows.append(
                    _row(
                        "(a) concurrent writers",
                        kind,
                        f"{result.processes} processes, {result.operations} changes",
                        result.operations - len(result.errors),
                        len(result.errors),
                        len(result.lost),
                        result.leftovers,
                        f"{result.seconds:.1f}",
                    )
                )
                notes += [f"{kind} writers: {line}" for line in result.errors + result.lost]
                _progress(rows[-1])
            if "crash" in args.only:
                crash = await run_crash_trials(root / f"c-{kind}", kind, args.trials)
                rows.append(
                    _row(
                        "(b) SIGKILL during writes",
                        kind,
                        f"{crash.trials} kills",
                        f"{crash.committed} committed",
                        crash.unchecked,
                        len(crash.lost),
                        crash.leftovers if kind == "keyring" else crash.stale_temporaries,
                        f"{crash.seconds:.1f}",
                    )
                )
                notes.append(
                    f"{kind} SIGKILL: {crash.committed} committed changes all intact; "
                    f"{crash.in_flight_kept} in-flight changes found complete, "
                    f"{crash.reattached} interrupted new secrets re-attached by reconcile, "
                    f"{crash.reported_lost} reported as never stored (never shown)"
                    + (
                        f"; gnome-keyring-daemon aborted {crash.daemon_restarts} time(s) after a "
                        "kill and was restarted on its keyring file"
                        if kind == "keyring"
                        else ""
                    )
                )
                notes += [f"{kind} SIGKILL lost: {line}" for line in crash.lost]
                _progress(rows[-1])
        if "disk" in args.only and "vault" in args.stores:
            for disk in (
                await run_disk_full_rlimit(root / "d-rlimit", args.disk_attempts),
                run_disk_full_tmpfs(root / "d-tmpfs", args.disk_attempts * 2),
            ):
                if disk.skipped:
                    rows.append(_row("(c) disk full", "vault", disk.method, "skipped", *[None] * 4))
                    notes.append(f"{disk.method}: skipped, {disk.skipped}")
                    continue
                rows.append(
                    _row(
                        "(c) disk full",
                        "vault",
                        disk.method,
                        f"{disk.saved} saved",
                        f"{disk.refused} refused",
                        len(disk.lost),
                        None,
                        "",
                    )
                )
                notes += [f"{disk.method} error: {m}" for m in sorted(disk.messages)]
                notes += [f"{disk.method} lost: {line}" for line in disk.lost]
                _progress(rows[-1])
    _print_table(rows)
    for note in notes:
        print(f"  {note}")
    return rows


def _progress(row: tuple[str, ...]) -> None:
    print("  ... " + " | ".join(row), file=sys.stderr, flush=True)


def _print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    for index, row in enumerate([HEADER, *rows]):
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("-+-".join("-" * width for width in widths))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--writers", type=int, default=20, help="writer processes besides the window"
    )
    parser.add_argument("--operations", type=int, default=1000, help="changes in all")
    parser.add_argument("--trials", type=int, default=200, help="SIGKILLs per store")
    parser.add_argument("--disk-attempts", type=int, default=60, help="saves tried on a full disk")
    parser.add_argument(
        "--stores", nargs="+", default=["vault", "keyring"], choices=["vault", "keyring"]
    )
    parser.add_argument(
        "--only",
        nargs="+",
        default=["writers", "crash", "disk"],
        choices=["writers", "crash", "disk"],
    )
    args = parser.parse_args()
    started = time.monotonic()
    rows = asyncio.run(run(args))
    print(f"total {time.monotonic() - started:.0f} s")
    return 1 if any(row[5] not in ("0", "-") for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
