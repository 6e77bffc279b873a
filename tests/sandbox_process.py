"""`tokendeck sandbox` as a person starts it: a real process, read back from what it prints.

Used by the command's own tests (tests/sandbox) and by the SDK contract tests (tests/contract),
which point the platforms' official SDKs at it."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

LAST_LINE = "POST <base>/__sandbox/config"


@dataclass
class RunningSandbox:
    proc: subprocess.Popen[str]
    text: str  # everything it printed up to its last announcement line

    @property
    def urls(self) -> dict[str, str]:
        """Platform title -> base URL ("Dataloop", "Haut.AI", "Encord", "OAuth 2.0 / OIDC"...)."""
        found = re.findall(r"^  (\S.*?)\s+(https?://127\.0\.0\.1:\d+)$", self.text, re.M)
        return dict(found)

    def seeded(self, title: str) -> str:
        """What it printed as the seeded credentials of `title` (after the URLs)."""
        block = self.text.split("Seeded test users", 1)[1]
        [line] = re.findall(rf"^  {re.escape(title)}\s{{2,}}(.*)$", block, re.M)
        return str(line)

    @property
    def password(self) -> str:
        return self.seeded("Dataloop").split(" / ", 1)[1]

    @property
    def encord_key_file(self) -> Path:
        return Path(self.seeded("Encord SSH key").split()[0])

    @property
    def encord_project(self) -> str:
        return re.findall(r"project ([0-9a-f-]+)", self.seeded("Encord"))[0]

    @property
    def encord_dataset(self) -> str:
        return re.findall(r"dataset ([0-9a-f-]+)", self.seeded("Encord"))[0]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate(timeout=20)
            raise


def start_sandbox(*options: str, within: float = 30.0) -> RunningSandbox:
    """`tokendeck sandbox OPTIONS` started, once it has printed its last announcement line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tokendeck", "sandbox", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        lines.append(line)
        if line.startswith(LAST_LINE):
            return RunningSandbox(proc, "".join(lines))
    proc.kill()
    _, err = proc.communicate(timeout=20)
    raise AssertionError(f"tokendeck sandbox did not announce itself: {''.join(lines)}{err}")
