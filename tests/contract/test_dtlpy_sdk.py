"""dtlpy (Dataloop's SDK), unchanged, against the sandbox: sign in, wrong password, refresh
(asked for, and the SDK's own before a call), API key create / use / forged / revoked, and the
listing it makes after signing in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.contract.conftest import error, run_driver, value
from tests.sandbox_process import RunningSandbox
from tokendeck.sandbox.world import DEMO_USER

pytestmark = pytest.mark.sdk_contract


@pytest.fixture(scope="module")
def steps(sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    cfg = {"url": sandbox.urls["Dataloop"], "email": DEMO_USER, "password": sandbox.password}
    home: Path = tmp_path_factory.mktemp("dtlpy-home")
    return run_driver("dtlpy", "dtlpy_driver.py", cfg, home)


def test_signs_in_with_the_password_and_refuses_a_wrong_one(steps: dict[str, Any]) -> None:
    refused, logged = value(steps, "wrong password")
    assert refused is False  # dtlpy reports a refused login so, and logs the answer:
    assert any("[Response <401>]" in line and "Wrong email or password" in line for line in logged)
    assert value(steps, "sign in") is True
    assert value(steps, "who") == DEMO_USER
    assert value(steps, "id_token lifetime") == 24 * 3600  # documented: 24 hours


def test_lists_projects_after_signing_in(steps: dict[str, Any]) -> None:
    [project] = value(steps, "projects")
    assert project["name"] == "Sandbox project"
    assert project["creator"] == DEMO_USER
    assert len(project["id"]) == 24
    assert project["org"]
    [[email, role, user_id]] = project["contributors"]
    assert (email, role) == (DEMO_USER, "owner")
    assert user_id
    assert value(steps, "project by id") == project


def test_refreshes_when_asked_and_before_a_call_near_expiry(steps: dict[str, Any]) -> None:
    assert value(steps, "refresh") is True
    assert value(steps, "refreshed token is new") is True
    assert _names(value(steps, "projects after refresh")) == ["Sandbox project"]
    assert value(steps, "short lifetime") == 30
    assert _names(value(steps, "projects renew first")) == ["Sandbox project"]
    assert value(steps, "renewed before the call") is True


def test_creates_and_uses_an_api_key(steps: dict[str, Any]) -> None:
    assert value(steps, "api key lifetime") == 365 * 24 * 3600  # documented: 1 year
    assert value(steps, "api key kind") == "apikey"
    assert value(steps, "sign in with api key") is True
    assert _names(value(steps, "projects with api key")) == ["Sandbox project"]


def test_refuses_a_forged_and_a_revoked_key(steps: dict[str, Any]) -> None:
    # dtlpy's own words, then the sandbox's answer it carries
    forged = error(steps, "forged api key")
    assert "Invalid API key provided" in forged
    assert "Invalid token." in forged
    assert value(steps, "revoke api key") == 204
    revoked = error(steps, "revoked api key")
    assert "Invalid API key provided" in revoked
    assert "API key revoked." in revoked
    assert value(steps, "sign in with token") is True


def _names(projects: list[dict[str, Any]]) -> list[str]:
    return [p["name"] for p in projects]
