"""Encord: what it can do, the form to add an account, and its `SPEC` (this package is the
platform's plug-in). The adapter that talks to it (`adapter.py`) is imported when an account
first needs one, and the HTTP stack with it: the window, the tables and the tray never do."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from tokendeck.core.clock import Clock
from tokendeck.core.models import Platform
from tokendeck.core.platform_types import Capabilities, Field
from tokendeck.core.secret import Secret
from tokendeck.platforms.spec import Filled, PlaintextSpec, PlatformSpec

if TYPE_CHECKING:
    import httpx

    from tokendeck.platforms.base import PlatformAdapter

PROJECT_SCOPES = (
    "label.read",
    "label.write",
    "model.inference",
    "model.train",
    "label_logs.read",
    "algo.library",
)
DATASET_SCOPES = ("dataset.read", "dataset.write")

CAPABILITIES = Capabilities(
    sign_in_methods=("ssh_key", "api_key"),
    fields=(
        Field(
            "private_key",
            "Ed25519 private key",
            secret=True,
            required=False,
            multiline=True,
            help="OpenSSH format (-----BEGIN OPENSSH PRIVATE KEY-----)",
        ),
        Field("passphrase", "Key passphrase", secret=True, required=False),
        Field(
            "project_hash", "Project hash", required=False, help="For the project's legacy API keys"
        ),
        Field(
            "dataset_hash", "Dataset hash", required=False, help="For the dataset's legacy API keys"
        ),
        Field(
            "api_key", "Legacy API key", secret=True, required=False, help="Instead of an SSH key"
        ),
        Field("resource_hash", "Key's project / dataset hash", required=False),
    ),
    default_host="https://api.encord.com",
    refresh=True,
    list_keys=True,
    create_keys=True,
    key_scopes=PROJECT_SCOPES + DATASET_SCOPES,
    keys_deprecated=True,
    notes="Legacy project and dataset API keys are deprecated by Encord; they never expire and "
    "cannot be revoked through the API.",
)


def _check_form(inputs: Mapping[str, str], filled: Filled) -> dict[str, str]:
    if filled("private_key") or (filled("api_key") and inputs.get("resource_hash")):
        return {}
    return {
        "private_key": "Give the Ed25519 private key, or a legacy API key with its project / "
        "dataset hash."
    }


def _adapter(clock: Clock, client: Callable[[], httpx.AsyncClient]) -> PlatformAdapter:
    from tokendeck.platforms.encord.adapter import EncordAdapter

    return EncordAdapter(client(), clock)


# `tokendeck exec`: the bearer token in ENCORD_TOKEN (chosen: the SDK reads no token from the
# environment: EncordUserClient.create_with_bearer_token(os.environ["ENCORD_TOKEN"])), and what
# the SDK itself reads (encord/configs.py): the SSH key's content in ENCORD_SSH_KEY (for
# create_with_ssh_private_key()), a legacy key in ENCORD_API_KEY (EncordClient.initialise()),
# with its project or dataset in ENCORD_PROJECT_ID, the name the SDK's docs give it (0.1.145's
# code does not read it: a script passes it, EncordClient.initialise(os.environ[...])).
EXEC_ENV = "ENCORD_TOKEN"
SSH_KEY_ENV, API_KEY_ENV, RESOURCE_ENV = "ENCORD_SSH_KEY", "ENCORD_API_KEY", "ENCORD_PROJECT_ID"
# Every variable the SDK reads its credentials from (encord/configs.py, 0.1.145 and current):
# removed for the command, so one the user's shell exports (ENCORD_SSH_KEY_FILE is read before
# ENCORD_SSH_KEY; a dataset id beside the project id is refused) cannot stand in for the account's.
SDK_ENV = (
    "ENCORD_SSH_KEY",
    "ENCORD_SSH_KEY_FILE",
    "ENCORD_API_KEY",
    "CORD_API_KEY",
    "ENCORD_PROJECT_ID",
    "CORD_PROJECT_ID",
    "ENCORD_DATASET_ID",
    "CORD_DATASET_ID",
)


def _exec_extras(inputs: Mapping[str, str], secrets: Mapping[str, Secret]) -> dict[str, Secret]:
    """The key as the SDK reads it: with a passphrase, the key is handed over decrypted (the SDK
    reads no passphrase from the environment); it stays in the environment, never on disk."""
    out: dict[str, Secret] = {}
    key = secrets.get("private_key")
    if key is not None and key.reveal().strip():
        from tokendeck.platforms.encord_signing import unencrypted_openssh

        out[SSH_KEY_ENV] = unencrypted_openssh(key, secrets.get("passphrase"))
    legacy = secrets.get("api_key")
    if legacy is not None and legacy.reveal().strip() and inputs.get("resource_hash"):
        out[API_KEY_ENV] = legacy
        out[RESOURCE_ENV] = Secret(inputs["resource_hash"])
    return out


SPEC = PlatformSpec(
    Platform.ENCORD,
    CAPABILITIES,
    _adapter,
    sign_in_hint="Give the Ed25519 private key, or a legacy API key + its project / dataset "
    "hash (one is enough).",
    secret_preference=("private_key", "passphrase", "api_key"),
    check_form=_check_form,
    exec_env=EXEC_ENV,
    exec_extras=_exec_extras,
    exec_clears=SDK_ENV,
    plaintext=PlaintextSpec(
        ssh_key_files=True,
        key_variables=(SSH_KEY_ENV,),
        key_file_variables=("ENCORD_SSH_KEY_FILE",),
        legacy_key_variables=(API_KEY_ENV, "CORD_API_KEY"),
        resource_variables=(
            RESOURCE_ENV,
            "CORD_PROJECT_ID",
            "ENCORD_DATASET_ID",
            "CORD_DATASET_ID",
        ),
    ),
)
