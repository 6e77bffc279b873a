"""Encord's SDK, unchanged, against the sandbox: the current release (SSH key sign-in with v2
signatures, bearer token, the project and dataset listings, refusals) and 0.1.145 (v1
signatures, legacy project and dataset keys with scopes, their use, unknown keys refused)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.conftest import error, run_driver, value
from tests.sandbox_process import RunningSandbox
from tokendeck.sandbox.encord import PROJECT_SCOPES

pytestmark = pytest.mark.sdk_contract


def _config(sandbox: RunningSandbox) -> dict[str, Any]:
    return {
        "url": sandbox.urls["Encord"],
        "key_file": str(sandbox.encord_key_file),
        "project": sandbox.encord_project,
        "dataset": sandbox.encord_dataset,
    }


@pytest.fixture(scope="module")
def current(sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("encord-home")
    return run_driver("encord", "encord_driver.py", _config(sandbox), home)


@pytest.fixture(scope="module")
def legacy(sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("encord-legacy-home")
    return run_driver("encord-legacy", "encord_legacy_driver.py", _config(sandbox), home)


# -- the current SDK ---------------------------------------------------------------------------


def test_current_sdk_signs_in_with_the_ssh_key_and_lists(
    current: dict[str, Any], sandbox: RunningSandbox
) -> None:
    assert value(current, "bearer token").startswith("enc-")
    project = ["Sandbox project", sandbox.encord_project, "inProgress"]
    assert value(current, "projects with ssh key") == [project]
    dataset = ["Sandbox dataset", sandbox.encord_dataset]
    assert value(current, "datasets with ssh key") == [dataset]


def test_current_sdk_lists_with_a_bearer_token(
    current: dict[str, Any], sandbox: RunningSandbox
) -> None:
    project = ["Sandbox project", sandbox.encord_project, "inProgress"]
    assert value(current, "projects with bearer token") == [project]
    assert value(current, "datasets with bearer token") == [
        ["Sandbox dataset", sandbox.encord_dataset]
    ]


def test_current_sdk_is_refused_an_unregistered_key_and_a_made_up_token(
    current: dict[str, Any],
) -> None:
    assert error(current, "unregistered key").startswith("AuthenticationError")
    assert error(current, "unregistered key lists").startswith("AuthenticationError")
    assert error(current, "made-up bearer token").startswith("AuthenticationError")


# -- 0.1.145 and the legacy API keys -----------------------------------------------------------


def test_legacy_sdk_lists_projects_and_datasets(
    legacy: dict[str, Any], sandbox: RunningSandbox
) -> None:
    assert value(legacy, "projects") == [["Sandbox project", sandbox.encord_project, 0]]
    assert value(legacy, "datasets") == [["Sandbox dataset", sandbox.encord_dataset, 0]]
    assert value(legacy, "projects with bearer token") == ["Sandbox project"]


def test_legacy_sdk_creates_and_lists_keys_with_their_scopes(
    legacy: dict[str, Any], sandbox: RunningSandbox
) -> None:
    reader = value(legacy, "create project key")
    writer = value(legacy, "create write-only project key")
    every = value(legacy, "get or create project key")
    listed = value(legacy, "project keys")
    assert sorted(listed) == sorted(
        [
            [reader, "reads labels", ["label.read"]],
            [writer, "writes labels", ["label.write"]],
            # the SDK names the key it gets or creates so
            [every, f"{sandbox.encord_project} - admin key", list(PROJECT_SCOPES)],
        ]
    )
    assert value(legacy, "get or create again") is True  # the same key, not another
    dataset_key = value(legacy, "dataset key value")
    assert value(legacy, "dataset keys") == [[dataset_key, "reads the dataset", ["dataset.read"]]]


def test_legacy_keys_work_within_their_scopes_and_are_refused_outside(
    legacy: dict[str, Any],
) -> None:
    assert value(legacy, "project key reads its project") == "Sandbox project"
    # Within its scope a call gets through (the sandbox holds no label rows: not found);
    # outside it Encord refuses the operation.
    assert error(legacy, "project key reads a label row").startswith("ResourceNotFoundError")
    assert error(legacy, "read-only key saves a label row").startswith("OperationNotAllowed")
    assert error(legacy, "write-only key reads a label row").startswith("OperationNotAllowed")
    assert error(legacy, "write-only key saves a label row").startswith("ResourceNotFoundError")
    assert value(legacy, "dataset key reads its dataset") == "Sandbox dataset"
    refused = error(legacy, "write-only dataset key reads its dataset")
    assert refused.startswith("OperationNotAllowed")


def test_legacy_sdk_is_refused_an_unknown_key_and_a_key_for_another_resource(
    legacy: dict[str, Any],
) -> None:
    assert error(legacy, "unknown key").startswith("AuthenticationError")
    assert error(legacy, "key for another resource").startswith("AuthenticationError")
