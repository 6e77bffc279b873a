"""`core.redaction.redact` on 1 MB of hostile input, next to `str.replace` over the same input.

Run: .venv/bin/python bench/redaction.py [--repeat N]

For each hostile input it prints the median time of `redact` (target < 100 ms per 1 MB), the
median time of one `str.replace` over the same 1 MB (the reference), and their ratio. Then it
shows linearity of the work itself, below the cut: the time for 16, 32 and 64 KiB of the same
input (each doubling should about double the time, never quadruple it).
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import time
from collections.abc import Callable

from tokendeck.core import redaction
from tokendeck.core.secret import Secret

MB = 1024 * 1024


def _fill(unit: str) -> str:
    return (unit * (MB // len(unit) + 1))[:MB]


def _inputs() -> dict[str, str]:
    trifacta = base64.b64encode(json.dumps({"tokenId": "t", "secret": "ab" * 32}).encode()).decode()
    return {
        "eyJ repeated (old: 55 s per 300 KB)": _fill("eyJ"),
        "a. repeated (one giant dotted word)": _fill("a."),
        "unterminated PEM headers": _fill("-----BEGIN PRIVATE KEY-----\n"),
        "password= repeated": _fill("password="),
        'escaped quotes \\" after a key': "token: " + _fill('"\\"'),
        ":// without @": _fill("://a"),
        "Bearer repeated": _fill("Bearer "),
        "mixed error body (180 KB-style)": _fill(
            f'{{"error": "bad", "token": "{trifacta}", "detail": "password=x y"}} '
        ),
        "plain prose": _fill("the platform refused the request because it was malformed. "),
    }


def _median(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    held = [Secret(f"held-secret-value-{i:03d}-Zz9") for i in range(redaction.MAX_REMEMBERED)]
    print(f"redact on 1 MB of hostile input; {len(held)} held secrets; median of {args.repeat}")
    print(f"{'input':40} {'redact':>10} {'replace':>10} {'ratio':>7}")
    worst = 0.0
    for name, text in _inputs().items():
        took = _median(lambda t=text: redaction.redact(t), args.repeat)
        reference = _median(lambda t=text: t.replace("eyJ", "***"), args.repeat)
        worst = max(worst, took)
        print(f"{name:40} {took * 1000:8.2f}ms {reference * 1000:8.3f}ms {took / reference:7.0f}x")
    print(f"worst: {worst * 1000:.1f} ms per MB (target < 100 ms)")
    print("\nlinearity below the cut (same inputs, no cut):")
    print(f"{'input':40} {'16 KiB':>9} {'32 KiB':>9} {'64 KiB':>9}")
    for name, text in _inputs().items():
        row = []
        for size in (16, 32, 64):
            part = text[: size * 1024]
            row.append(_median(lambda p=part: redaction.redact(p), args.repeat))
        print(f"{name:40} " + " ".join(f"{t * 1000:7.2f}ms" for t in row))
    del held
    return 0 if worst < 0.1 else 1


if __name__ == "__main__":
    sys.exit(main())
