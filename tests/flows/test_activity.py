"""The Activity (the audit log, in words) after what a person does: add an account, sign in,
create and rotate a key, copy a secret, sign out, remove the account. Newest first, with the
account's name (the logged one once removed), never a secret; exported as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tokendeck.core.models import Account, Platform
from tokendeck.core.secret import Secret
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld
from tokendeck.services.app_services import AppServices
from tokendeck.services.door import Door


async def test_what_a_person_did_reads_back_newest_first(
    services: AppServices, world: SandboxWorld, tmp_path: Path
) -> None:
    account = await services.accounts.add(
        Account(
            id="", name="Dataloop prod", platform=Platform.DATALOOP, host=world.urls["dataloop"]
        ),
        {"username": DEMO_USER},
        {"password": Secret(world.password)},
    )
    account = await services.sessions.sign_in(account)
    credential, key = await services.keys.create_key(account, "CI bot", None, ())
    [view] = [v for v in await services.keys.list_keys(account) if v.remote.name.endswith("CI bot")]
    _, rotated = await services.keys.rotate_key(account, view.remote)
    await services.tokens.reveal(credential)
    account = await services.sessions.sign_out(account)
    session_token = world.dataloop.state.refresh  # what the platform handed out
    await services.sessions.remove(account)

    door = Door.of(services)
    rows = await door.activity()
    whats = [r.what for r in rows]
    for expected in (
        "Account removed",
        "Signed out",
        "Secret copied",
        "API key rotated",
        "API key created",
        "Signed in",
        "Account added",
    ):
        assert expected in whats, (expected, whats)
    assert whats.index("Account removed") < whats.index("Signed in") < whats.index("Account added")
    assert {r.account for r in rows if r.kind == "Accounts"} == {"Dataloop prod"}
    rotation = next(r for r in rows if r.what == "API key rotated")
    assert (rotation.credential, rotation.detail) == ("", f"replaces {view.remote.name}")
    copied = next(r for r in rows if r.what == "Secret copied")
    assert copied.credential.endswith("CI bot")

    path = tmp_path / "activity.csv"
    await door.export_activity(path, rows)
    text = path.read_text()
    assert len(list(csv.reader(io.StringIO(text)))) == len(rows) + 1
    everything = text + repr(rows)
    for secret in (key, rotated, Secret(world.password), *map(Secret, session_token)):
        assert secret.reveal() not in everything
