"""The standalone bundle against a virtual-environment install: time from exec to the first paint
of the main window (interleaved runs A B A B..., medians) and the sizes on disk.

Build first (packaging/build), then run on a display:
    scripts/desktop-session .venv/bin/python bench/bundle_start.py [-n 7] [--dist dist]
The venv run is this checkout's environment with the bytecode compiled, as pip compiles it at
install time; the bundle is the tarball from dist/, unpacked into a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from as_installed import compile_tokendeck
from startup import first_paint

ROOT = Path(__file__).resolve().parent.parent


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=7, help="runs of each (default 7)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    args = parser.parse_args()
    [tarball] = sorted(args.dist.glob("tokendeck-*-linux-*.tar.gz"))
    [deb] = sorted(args.dist.glob("tokendeck_*.deb"))
    compile_tokendeck()
    env = dict(os.environ, TOKENDECK_STARTUP_PROBE="1")
    with tempfile.TemporaryDirectory() as work:
        with tarfile.open(tarball) as tar:
            tar.extractall(work, filter="tar")
        [folder] = Path(work).iterdir()
        profile = str(Path(work) / "profile")
        venv_cmd = [sys.executable, "-m", "tokendeck", "--profile", profile]
        bundle_cmd = [str(folder / "tokendeck"), "--profile", profile]
        first_paint(venv_cmd, env)  # warm the OS file cache for both
        first_paint(bundle_cmd, env)
        venv, bundle = [], []
        for _ in range(args.n):
            venv.append(first_paint(venv_cmd, env)[0])
            bundle.append(first_paint(bundle_cmd, env)[0])
        unpacked = _size(folder)
    site = Path(subprocess.check_output([sys.executable, "-c", "import site; print(site.getsitepackages()[0])"], text=True).strip())  # fmt: skip
    v, b = statistics.median(venv), statistics.median(bundle)
    print(f"venv install   : median {v * 1000:7.1f} ms  (runs: {', '.join(f'{x * 1000:.0f}' for x in venv)})")  # fmt: skip
    print(f"bundle         : median {b * 1000:7.1f} ms  (runs: {', '.join(f'{x * 1000:.0f}' for x in bundle)})")  # fmt: skip
    print(f"ratio bundle / venv: {b / v:.2f}")
    print(
        f"sizes: bundle tarball {_mib(tarball.stat().st_size)}, unpacked {_mib(unpacked)}; "
        f".deb {_mib(deb.stat().st_size)}; this venv's site-packages {_mib(_size(site))} "
        "(with the test and sandbox extras)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
