"""`tokendeck --demo`: a throw-away profile wired to an in-process sandbox, with one signed-in
account per platform, so every feature can be tried with no real account. Secrets stay in
memory only; the sandbox stops when the app quits."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import jwt

from tokendeck.core.models import Account, Platform
from tokendeck.core.secret import Secret
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld, build_world
from tokendeck.services.app_services import AppServices

log = logging.getLogger(__name__)


def start_world() -> SandboxWorld:
    """The sandbox of the demo: sign-in and access tokens last 5 minutes, so a person sees
    sessions renew themselves; API keys keep their documented lifetimes."""
    world = build_world()
    world.use_demo_lifetimes()
    return world.start()


async def seed(services: AppServices, world: SandboxWorld) -> None:
    client_id, client_secret = next(iter(world.oauth2.state.clients.items()))
    now = int(time.time())
    pasted = jwt.encode(
        {
            "iss": "https://login.example.test/",
            "sub": "customer-4312",
            "iat": now - 86400,
            "exp": now + 6 * 86400,
        },
        "demo-" + "k" * 28,
        algorithm="HS256",
    )
    plan: list[tuple[Account, dict[str, str], dict[str, Secret]]] = [
        (
            Account(
                id="",
                name="Dataloop (demo)",
                platform=Platform.DATALOOP,
                host=world.urls["dataloop"],
            ),
            {"username": DEMO_USER},
            {"password": Secret(world.password)},
        ),
        (
            Account(id="", name="Haut.AI (demo)", platform=Platform.HAUT, host=world.urls["haut"]),
            {"username": DEMO_USER},
            {"password": Secret(world.password)},
        ),
        (
            Account(
                id="",
                name="Visual Layer (demo)",
                platform=Platform.VISUAL_LAYER,
                host=world.urls["visual_layer"],
            ),
            {"mode": "cloud", "api_key": world.vl_pair[0]},
            {"api_secret": Secret(world.vl_pair[1])},
        ),
        (
            Account(
                id="",
                name="Trifacta (demo)",
                platform=Platform.TRIFACTA,
                host=world.urls["trifacta"],
            ),
            {"username": "demo"},
            {"password": Secret(world.password)},
        ),
        (
            Account(
                id="",
                name="OAuth 2.0 issuer (demo)",
                platform=Platform.OAUTH2,
                host=world.urls["oauth2"],
            ),
            {"client_id": client_id, "scope": "read"},
            {"client_secret": Secret(client_secret)},
        ),
        (
            Account(
                id="", name="Encord (demo)", platform=Platform.ENCORD, host=world.urls["encord"]
            ),
            {"project_hash": world.encord_project, "dataset_hash": world.encord_dataset},
            {"private_key": Secret(world.encord_key)},
        ),
        (
            Account(id="", name="Customer token (demo)", platform=Platform.MANUAL, host=""),
            {},
            {"token": Secret(pasted)},
        ),
    ]
    for draft, inputs, secrets in plan:
        try:
            account = await services.accounts.add(draft, inputs, secrets)
            account = await services.sessions.sign_in(account)
            if account.platform is Platform.DATALOOP:
                await services.keys.create_key(account, "CI pipeline", None)
            if account.platform is Platform.HAUT:
                await services.keys.create_key(account, "nightly export", timedelta(days=3))
        except Exception:  # a demo account that fails is logged, the rest still appear
            log.exception("demo: could not set up %s", draft.name)
