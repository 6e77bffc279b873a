"""Encord's official SDK (`encord`, current release), unchanged, against `tokendeck sandbox`.

Run by tests/contract/test_encord_sdk.py in the SDK's own venv; see harness.py for the protocol.
Signs in with the seeded SSH key (v2 HTTP message signatures), gets a bearer token, lists
projects and datasets with each, and is refused with an unregistered key or a made-up token."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from encord import EncordUserClient
from harness import Steps, config


def projects(client: EncordUserClient) -> list[list[str]]:
    return sorted(
        [p.title, str(p.project_hash), str(p.status.value)] for p in client.list_projects()
    )


def datasets(client: EncordUserClient) -> list[list[str]]:
    return sorted([d["dataset"].title, d["dataset"].dataset_hash] for d in client.get_datasets())


def main() -> None:
    cfg = config()
    url = cfg["url"]
    steps = Steps()
    key = Path(cfg["key_file"]).read_text(encoding="ascii")
    user = steps.run(
        "ssh client", lambda: EncordUserClient.create_with_ssh_private_key(key, domain=url)
    )
    token = steps.run("bearer token", lambda: user.get_bearer_token())
    steps.run("projects with ssh key", lambda: projects(user))
    steps.run("datasets with ssh key", lambda: datasets(user))

    bearer = steps.run(
        "bearer client", lambda: EncordUserClient.create_with_bearer_token(token, domain=url)
    )
    steps.run("projects with bearer token", lambda: projects(bearer))
    steps.run("datasets with bearer token", lambda: datasets(bearer))

    stranger = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    unknown = EncordUserClient.create_with_ssh_private_key(stranger.decode(), domain=url)
    steps.run("unregistered key", lambda: unknown.get_bearer_token())
    steps.run("unregistered key lists", lambda: projects(unknown))
    made_up = EncordUserClient.create_with_bearer_token("enc-made-up", domain=url)
    steps.run("made-up bearer token", lambda: projects(made_up))
    steps.report()


if __name__ == "__main__":
    main()
