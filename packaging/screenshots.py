"""Screenshots of each tab for the README, from the real app started with --demo.

Run inside a desktop session: scripts/desktop-session .venv/bin/python packaging/screenshots.py
It starts `tokendeck --demo` (an in-process sandbox, one account per platform, secrets in memory),
switches tabs with the keyboard and saves docs/screenshot-*.png.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import jwt

DOCS = Path(__file__).resolve().parent.parent / "docs"
SEED_SECONDS = 8


def _xdotool(*args: str) -> str:
    return subprocess.run(
        ["xdotool", *args], capture_output=True, text=True, check=False
    ).stdout.strip()


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])
    DOCS.mkdir(exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "tokendeck", "--demo"])
    try:
        window = ""
        for _ in range(100):
            window = _xdotool("search", "--onlyvisible", "--name", "^TokenDeck$")
            if window:
                break
            time.sleep(0.2)
        wid = window.splitlines()[0]
        time.sleep(SEED_SECONDS)

        def shot(name: str, *keys: str, wait: float = 1.5) -> None:
            for key in keys:
                _xdotool("windowfocus", "--sync", wid, "key", "--clearmodifiers", key)
                time.sleep(0.4)
            time.sleep(wait)
            QGuiApplication.primaryScreen().grabWindow(int(wid)).save(
                str(DOCS / f"screenshot-{name}.png")
            )

        shot("accounts", "ctrl+1")
        shot("keys", "ctrl+2", wait=3)
        now = int(time.time())
        sample = jwt.encode(
            {
                "iss": "https://login.example.test/",
                "sub": "support@example.test",
                "aud": "api",
                "iat": now - 3600,
                "exp": now + 5400,
                "scope": "read write",
            },
            "screenshot-secret-" + "x" * 20,
            algorithm="HS256",
            headers={"kid": "2026-q4"},
        )
        subprocess.run(
            ["xclip", "-selection", "clipboard"], input=f"Bearer {sample}", text=True, check=True
        )
        shot("tokens", "ctrl+3", "ctrl+i", "ctrl+v")
        _xdotool("windowfocus", "--sync", wid, "key", "ctrl+q")
        proc.wait(20)
    finally:
        if proc.poll() is None:
            proc.kill()
    del app
    print("saved", *sorted(p.name for p in DOCS.glob("screenshot-*.png")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
