"""Screenshots of each tab for the README, from the real app on the current X display.

Run inside a desktop session: scripts/desktop-session .venv/bin/python packaging/screenshots.py
It prepares a throw-away profile with a few tracked tokens (generated here, no real credentials),
starts `tokendeck`, switches tabs with the keyboard and saves docs/screenshot-*.png.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jwt

from tokendeck.core.secret import Secret
from tokendeck.services.app_services import AppServices
from tokendeck.services.store_choice import VaultAction

DOCS = Path(__file__).resolve().parent.parent / "docs"


class _NoPrompt:
    async def ask_password(
        self, action: VaultAction, reason: str, error: str | None
    ) -> Secret | None:
        return None


async def _prepare(profile: Path) -> str:
    services = await AppServices.start(
        profile / "catalog.sqlite3", profile / "vault.tdvault", _NoPrompt()
    )
    now = int(time.time())
    samples = [
        ("Dataloop id_token (support)", 6 * 3600, "https://dataloop-development.auth0.com/"),
        ("Haut.AI access token", 40 * 60, "https://saas.haut.ai/"),
        ("Visual Layer JWT", 8 * 60, "sdk"),
        ("Customer token from ticket #4312", -2 * 86400, "https://login.example.test/"),
        ("OIDC client token", 20 * 86400, "https://auth.example.test/"),
    ]
    last = ""
    for label, lifetime, iss in samples:
        issued = now - 3600 if lifetime > 0 else now + lifetime - 3600
        token = jwt.encode(
            {
                "iss": iss,
                "sub": "support@example.test",
                "aud": "api",
                "iat": issued,
                "exp": now + lifetime,
            },
            "screenshot-secret-" + "x" * 20,
            algorithm="HS256",
        )
        await services.tokens.track(label, Secret(token))
        last = token
    await services.aclose()
    return last


def _xdotool(*args: str) -> str:
    return subprocess.run(
        ["xdotool", *args], capture_output=True, text=True, check=False
    ).stdout.strip()


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        token = asyncio.run(_prepare(profile))
        proc = subprocess.Popen([sys.executable, "-m", "tokendeck", "--profile", str(profile)])
        try:
            window = ""
            for _ in range(100):
                window = _xdotool("search", "--onlyvisible", "--name", "^TokenDeck$")
                if window:
                    break
                time.sleep(0.2)
            wid = window.splitlines()[0]
            time.sleep(1.5)

            def shot(name: str, *keys: str) -> None:
                for key in keys:
                    _xdotool("windowfocus", "--sync", wid, "key", "--clearmodifiers", key)
                    time.sleep(0.4)
                time.sleep(1.2)
                QGuiApplication.primaryScreen().grabWindow(int(wid)).save(
                    str(DOCS / f"screenshot-{name}.png")
                )

            shot("accounts", "ctrl+1")
            shot("keys", "ctrl+2")
            subprocess.run(
                ["xclip", "-selection", "clipboard"], input=f"Bearer {token}", text=True, check=True
            )
            shot("tokens", "ctrl+3", "ctrl+i", "ctrl+v")
            _xdotool("windowfocus", "--sync", wid, "key", "ctrl+q")
            proc.wait(15)
        finally:
            if proc.poll() is None:
                proc.kill()
    del app
    print("saved", *sorted(p.name for p in DOCS.glob("screenshot-*.png")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
