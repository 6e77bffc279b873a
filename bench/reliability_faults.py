"""Reliability under faults, with figures: every platform the sandbox serves × every fault kind
the sandbox injects (once, and persistently: 20 times in a row) × every operation the platform's
Capabilities allow, through the real services over real HTTP; the state is checked after each
fault and after recovery (see tests/flows/fault_matrix.py for what is checked).

    scripts/desktop-session .venv/bin/python bench/reliability_faults.py
        [--platform NAME] [--op NAME] [--fault KIND] [--single] [--json FILE] [--strict]

Starts its own sandbox world on 127.0.0.1 and prints a table (platform × operation rows, fault
columns; cell = ok / err / INCONSISTENT), the totals, and every inconsistent cell with what is
wrong. `--strict` exits 1 when a cell is inconsistent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.flows.fault_matrix import (
    ALL_VARIANTS,
    ERR,
    INCONSISTENT,
    OK,
    OP_NAMES,
    OPERATIONS,
    PLATFORMS,
    SINGLE,
    Cell,
    Harness,
    Variant,
    matrix,
    start_world,
)

from tokendeck.core.models import PLATFORM_NAMES, Platform

SHORT_NAMES = {
    Platform.DATALOOP: "Dataloop",
    Platform.HAUT: "Haut.AI",
    Platform.ENCORD: "Encord",
    Platform.VISUAL_LAYER: "Visual Layer",
    Platform.TRIFACTA: "Trifacta",
    Platform.OAUTH2: "OAuth 2.0",
}


def pick(values: tuple[str, ...], wanted: str | None) -> tuple[str, ...]:
    if not wanted:
        return values
    chosen = tuple(v for v in values if wanted.lower() in v.lower())
    if not chosen:
        raise SystemExit(f"nothing matches {wanted!r} among {', '.join(values)}")
    return chosen


def table(cells: list[Cell], variants: tuple[Variant, ...], title: str) -> str:
    rows: dict[tuple[Platform, str], dict[str, Cell]] = {}
    for cell in cells:
        if cell.variant in variants:
            rows.setdefault((cell.platform, cell.op), {})[cell.variant.label] = cell
    if not rows:
        return ""
    labels = [v.label for v in variants]
    first = max(len(f"{SHORT_NAMES[p]} · {OP_NAMES[op]}") for p, op in rows)
    width = max(len(INCONSISTENT) + 1, *(len(label) for label in labels))
    out = [title, " " * first + " | " + " ".join(label.ljust(width) for label in labels)]
    out.append("-" * len(out[-1]))
    for (platform, op), by_label in rows.items():
        text = []
        for label in labels:
            cell = by_label.get(label)
            mark = ""
            if cell is not None:
                mark = cell.outcome + ("~" if cell.notes else "") + ("*" if cell.hits == 0 else "")
            text.append((mark or "-").ljust(width))
        out.append(
            f"{SHORT_NAMES[platform]} · {OP_NAMES[op]}".ljust(first) + " | " + " ".join(text)
        )
    return "\n".join(out)


async def run(args: argparse.Namespace) -> int:
    platforms = tuple(
        p for p in PLATFORMS if p.value in pick(tuple(p.value for p in PLATFORMS), args.platform)
    )
    ops = pick(OPERATIONS, args.op)
    variants = SINGLE if args.single else ALL_VARIANTS
    if args.fault:
        variants = tuple(
            v for v in variants if v.label in pick(tuple(v.label for v in variants), args.fault)
        )
    plan = matrix(platforms, variants, ops)

    started = time.monotonic()
    world, attached = start_world()
    # The sandbox logs every injected connection drop with a traceback; those are expected.
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
    cells: list[Cell] = []
    try:
        with tempfile.TemporaryDirectory(prefix="tokendeck-faults-") as tmp:
            async with Harness(world, Path(tmp)) as harness:
                for index, (platform, op, variant) in enumerate(plan, 1):
                    cell = await harness.run(platform, op, variant)
                    cells.append(cell)
                    if cell.outcome == INCONSISTENT or index % 25 == 0 or index == len(plan):
                        print(
                            f"  [{index}/{len(plan)}] {cell.name}: {cell.outcome}",
                            file=sys.stderr,
                            flush=True,
                        )
    finally:
        world.stop()
    elapsed = time.monotonic() - started

    print()
    print(
        table(
            cells,
            SINGLE,
            "One fault (the next request; for create / revoke / rotate the write request)",
        )
    )
    persistent = tuple(v for v in variants if v.count > 1)
    if persistent:
        print()
        print(table(cells, persistent, "Persistent faults (20 in a row)"))
    print()
    print(
        "ok = succeeded, state consistent; err = clean TokenDeckError, state consistent; "
        "INCONSISTENT = see below;\n~ = the state is right but the error's words are not (see "
        "'Message defects'); * = the fault never reached the platform\n(the operation made no "
        "request, e.g. Visual Layer mints its token locally); - = not run."
    )
    if attached:
        names = ", ".join(SHORT_NAMES[Platform(a)] for a in attached)
        print(
            f"The sandbox's {names} app has no /__sandbox fault control of its own: this bench "
            "attached the same FaultMiddleware and admin routes to it before starting."
        )

    counts = Counter(c.outcome for c in cells)
    total = len(cells)
    print()
    print(f"Runs:             {total}")
    print(f"Successes:        {counts[OK]}")
    print(f"Clean failures:   {counts[ERR]}")
    print(f"Inconsistencies:  {counts[INCONSISTENT]}")
    print(f"Faults not reached (operation made no request): {sum(c.hits == 0 for c in cells)}")
    relogin = [c for c in cells if c.recovered == "sign-in"]
    print(f"Recovered only after signing in again: {len(relogin)}")
    for cell in relogin:
        print(f"  - {cell.name} ({cell.error})")
    slowest = max(cells, key=lambda c: c.seconds)
    print(
        f"Time: {elapsed:.1f} s in all ({elapsed / max(total, 1) * 1000:.0f} ms a run; slowest "
        f"{slowest.name}: {slowest.seconds:.1f} s)"
    )
    noted = [c for c in cells if c.notes]
    print(f"Message defects (state consistent, the error's words wrong): {len(noted)}")
    bad = [c for c in cells if c.outcome == INCONSISTENT]
    if bad:
        print()
        print("Inconsistent cells:")
        for cell in bad:
            print(f"  {cell.name}  [{cell.error or 'no error'}]")
            for problem in dict.fromkeys(cell.problems):
                print(f"    - {problem}")
    if noted:
        print()
        print("Message defects, by platform and operation (the fault columns where they show):")
        groups: dict[tuple[Platform, str, str], list[str]] = {}
        for cell in noted:
            for note in cell.notes:
                kind = note.split(":", 1)[0]
                groups.setdefault((cell.platform, cell.op, kind), []).append(
                    f"{cell.variant.label}"
                )
        examples = {
            (c.platform, c.op, n.split(":", 1)[0]): n for c in reversed(noted) for n in c.notes
        }
        for (platform, op, kind), labels in groups.items():
            print(f"  {SHORT_NAMES[platform]} · {OP_NAMES[op]} [{', '.join(labels)}]")
            print(f"    - {examples[(platform, op, kind)]}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                [
                    {
                        "platform": PLATFORM_NAMES[c.platform],
                        "operation": c.op,
                        "fault": c.variant.label,
                        "outcome": c.outcome,
                        "error": c.error,
                        "problems": c.problems,
                        "fault_hits": c.hits,
                        "recovered": c.recovered,
                        "message_defects": c.notes,
                        "seconds": round(c.seconds, 3),
                    }
                    for c in cells
                ],
                indent=1,
            )
        )
    return 1 if bad and args.strict else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", help="only platforms whose name contains this")
    parser.add_argument("--op", help="only operations whose name contains this (e.g. revoke)")
    parser.add_argument("--fault", help="only fault columns whose label contains this")
    parser.add_argument("--single", action="store_true", help="skip the persistent variants")
    parser.add_argument("--json", help="also write every cell to this JSON file")
    parser.add_argument("--strict", action="store_true", help="exit 1 on an inconsistent cell")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
