"""Run mutmut over the targets and print each one's score; exit 1 when one is below the bar.

Usage (through scripts/mutation, which provides the desktop stack the storage tests need):

    scripts/mutation                      # every target, fresh
    scripts/mutation core.redaction       # some targets
    scripts/mutation --show core.secret   # also print the diff of each unexplained survivor
    scripts/mutation --resume core.secret # keep earlier results, re-run only what mutmut must
    scripts/mutation core.secret --only 'tokendeck.core.secret.x_reveal*'  # re-run some mutants

Each target runs in its own workspace under .mutation/<target>/ (a copy of the working tree with
app/ also as src/, the layout mutmut imports from), so targets can run side by side. A survivor
counts as equivalent only while its listing in targets/<target>.toml still matches its diff.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.mutation.targets import REQUIRED_SCORE, source_of, targets

TARGETS = targets()

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".mutation"
KILLED = {"killed", "timeout", "segfault"}


@dataclass
class Score:
    target: str
    total: int = 0
    killed: int = 0
    equivalent: list[str] = field(default_factory=list)
    survivors: dict[str, str] = field(default_factory=dict)  # name -> status
    stale: list[str] = field(default_factory=list)

    @property
    def judged(self) -> int:
        return self.total - len(self.equivalent)

    @property
    def score(self) -> float:
        return self.killed / self.judged if self.judged else 1.0


def _mutmut(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("mutmut")
    return subprocess.run(
        [str(exe), *args], cwd=workspace, capture_output=True, text=True, check=False
    )


def prepare(target: str, resume: bool) -> Path:
    """Copy the working tree (tracked and new files) into the target's workspace."""
    workspace = WORK / target
    if workspace.exists() and not resume:
        shutil.rmtree(workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        src = ROOT / name
        if not src.is_file() or name.startswith(".mutation/"):
            continue
        for dest in [workspace / name] + (
            [workspace / "src" / name.removeprefix("app/")] if name.startswith("app/") else []
        ):
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not dest.exists() or dest.read_bytes() != src.read_bytes():
                shutil.copy2(src, dest)
    top = sorted({n.split("/")[0] for n in filter(None, listed.split("\0")) if "/" in n} - {"src"})
    config = (
        "\n[tool.mutmut]\n"
        'source_paths = ["src"]\n'
        f'only_mutate = ["src/{source_of(target)}"]\n'
        f"pytest_add_cli_args_test_selection = {TARGETS[target]['tests']!r}\n"
        'pytest_add_cli_args = ["-p", "no:randomly", "-p", "no:cacheprovider", "-q"]\n'
        f"also_copy = {[*top, 'README.md', 'requirements.lock']!r}\n"
    )
    pyproject = workspace / "pyproject.toml"
    pyproject.write_text((ROOT / "pyproject.toml").read_text() + config)
    return workspace


def _change(diff: str) -> str:
    """The changed lines of a mutant's diff, the fingerprint an equivalence listing must match."""
    lines = diff.splitlines()
    return "\n".join(
        line.rstrip() for line in lines if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )


def _equivalents(target: str) -> dict[str, dict[str, str]]:
    listed: dict[str, dict[str, str]] = TARGETS[target].get("equivalent", {})
    return listed


def score(target: str, workspace: Path, show: bool) -> Score:
    result = Score(target)
    listing = _mutmut(workspace, "results", "--all", "true").stdout
    known = _equivalents(target)
    for line in listing.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if not name:
            continue
        result.total += 1
        if status in KILLED:
            result.killed += 1
            continue
        diff = _mutmut(workspace, "show", name).stdout
        listed = known.get(name.removeprefix("tokendeck."))
        if listed is not None and listed.get("change", "").strip() == _change(diff):
            result.equivalent.append(name)
            continue
        if listed is not None:
            result.stale.append(name)
        result.survivors[name] = status
        if show:
            print(f"\n# {name}: {status}\n{diff}", flush=True)
    return result


def run(target: str, resume: bool, patterns: list[str], children: int) -> Path:
    workspace = prepare(target, resume)
    env = os.environ | {"TOKENDECK_FUZZ_EXAMPLES": os.environ.get("TOKENDECK_FUZZ_EXAMPLES", "40")}
    log = workspace / "mutmut.log"
    with log.open("w") as out:
        subprocess.run(
            [
                str(Path(sys.executable).with_name("mutmut")),
                "run",
                "--max-children",
                str(children),
                *patterns,
            ],
            cwd=workspace,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            check=False,
        )
    return workspace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", help=f"some of: {', '.join(TARGETS)}")
    parser.add_argument("--show", action="store_true", help="print unexplained survivors' diffs")
    parser.add_argument("--resume", action="store_true", help="keep earlier results")
    parser.add_argument("--score-only", action="store_true", help="score the last run, run nothing")
    parser.add_argument("--children", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="GLOB",
        help="re-run only these mutants (repeat the option for more); keeps the other results",
    )
    args = parser.parse_args(argv)
    chosen = args.targets or list(TARGETS)
    unknown = [t for t in chosen if t not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s): {', '.join(unknown)}")
    scores = []
    for target in chosen:
        workspace = WORK / target
        if not args.score_only:
            print(f"[mutation] {target}: running", flush=True)
            workspace = run(target, args.resume or bool(args.only), args.only, args.children)
        scores.append(score(target, workspace, args.show))
    print(f"\n{'target':30} {'mutants':>8} {'killed':>7} {'equiv':>6} {'survive':>8} {'score':>7}")
    failed = False
    for s in scores:
        mark = "" if s.score >= REQUIRED_SCORE else "  < required"
        failed |= bool(mark)
        print(
            f"{s.target:30} {s.total:8} {s.killed:7} {len(s.equivalent):6} "
            f"{len(s.survivors):8} {s.score:7.1%}{mark}"
        )
        for name in s.stale:
            print(f"    stale equivalence listing (the diff changed): {name}")
    total = sum(s.total for s in scores)
    killed = sum(s.killed for s in scores)
    judged = sum(s.judged for s in scores)
    print(
        f"{'all':30} {total:8} {killed:7} {total - judged:6} {judged - killed:8} "
        f"{killed / judged if judged else 1:7.1%}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
