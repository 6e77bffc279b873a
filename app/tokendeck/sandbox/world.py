"""All emulated platforms together, with seeded test users (sandbox-only credentials)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tokendeck.sandbox.control import DEMO_SESSION_LIFETIME, Control
from tokendeck.sandbox.dataloop import Dataloop
from tokendeck.sandbox.encord import Encord
from tokendeck.sandbox.encord_verify import key_id
from tokendeck.sandbox.haut import Haut
from tokendeck.sandbox.oidc import OidcIssuer
from tokendeck.sandbox.server import SandboxServer
from tokendeck.sandbox.tls import SandboxPki
from tokendeck.sandbox.trifacta import Trifacta
from tokendeck.sandbox.visual_layer import VisualLayer

DEMO_USER = "demo@sandbox.test"


@dataclass
class SandboxWorld:
    dataloop: Dataloop
    haut: Haut
    visual_layer: VisualLayer
    trifacta: Trifacta
    oauth2: OidcIssuer
    encord: Encord
    password: str
    vl_pair: tuple[str, str]
    encord_key: str
    encord_project: str
    encord_dataset: str
    server: SandboxServer | None = None
    urls: dict[str, str] = field(default_factory=dict)

    def apps(self) -> dict[str, Any]:
        return {
            "dataloop": self.dataloop.app,
            "haut": self.haut.app,
            "visual_layer": self.visual_layer.app,
            "trifacta": self.trifacta.app,
            "oauth2": self.oauth2.app,
            "encord": self.encord.app,
        }

    def controls(self) -> list[Control]:
        """Faults, latency, clock and lifetimes of the five platform emulators (the OAuth 2.0
        issuer has its own access lifetime only)."""
        return [
            self.dataloop.control,
            self.haut.control,
            self.visual_layer.control,
            self.trifacta.control,
            self.encord.control,
        ]

    def use_demo_lifetimes(self) -> None:
        """Sign-in and access tokens last DEMO_SESSION_LIFETIME; API keys as documented."""
        for control in self.controls():
            control.launch_with(control.launch_lifetimes[0], DEMO_SESSION_LIFETIME)
        self.oauth2.state.access_lifetime = DEMO_SESSION_LIFETIME

    def start(
        self, ports: dict[str, int] | None = None, tls: SandboxPki | None = None
    ) -> SandboxWorld:
        self.server = SandboxServer(self.apps(), ports, tls).start()
        self.urls = dict(self.server.urls)
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    def seeded(self) -> list[tuple[str, str]]:
        client_id, client_secret = next(iter(self.oauth2.state.clients.items()))
        return [
            ("Dataloop", f"{DEMO_USER} / {self.password}"),
            ("Haut.AI", f"{DEMO_USER} / {self.password}"),
            ("Visual Layer", f"API key {self.vl_pair[0]} / secret {self.vl_pair[1]}"),
            ("Trifacta", f"demo / {self.password}"),
            ("OAuth 2.0", f"client {client_id} / {client_secret}"),
            ("Encord", f"project {self.encord_project}, dataset {self.encord_dataset}"),
        ]


def build_world(password: str | None = None) -> SandboxWorld:
    chosen = password or "sandbox-" + secrets.token_urlsafe(9)
    vl = VisualLayer()
    pair = vl.new_pair()
    encord = Encord()
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    encord.register(key_id(key), DEMO_USER)
    project, dataset = encord.add_project(DEMO_USER), encord.add_dataset(DEMO_USER)
    return SandboxWorld(
        dataloop=Dataloop({DEMO_USER: chosen}),
        haut=Haut({DEMO_USER: chosen}),
        visual_layer=vl,
        trifacta=Trifacta({"demo": chosen}),
        oauth2=OidcIssuer(),
        encord=encord,
        password=chosen,
        vl_pair=pair,
        encord_key=pem,
        encord_project=project,
        encord_dataset=dataset,
    )
