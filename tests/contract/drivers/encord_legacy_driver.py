"""Encord's SDK 0.1.145, the last with legacy project / dataset API keys, unchanged, against
`tokendeck sandbox`.

Run by tests/contract/test_encord_sdk.py in that SDK's own venv; see harness.py for the protocol.
Signs in with the seeded SSH key (v1 signatures), lists projects and datasets, creates project
and dataset keys with scopes, lists them, uses them (scopes enforced), and is refused with an
unknown key or a key given for another resource."""

from __future__ import annotations

import warnings
from pathlib import Path

from encord import EncordUserClient
from encord.client import EncordClient
from encord.orm.dataset import DatasetScope
from encord.utilities.client_utilities import APIKeyScopes
from harness import Steps, config

warnings.simplefilter("ignore", DeprecationWarning)  # every legacy-key call is deprecated


def main() -> None:
    cfg = config()
    url, project, dataset = cfg["url"], cfg["project"], cfg["dataset"]
    steps = Steps()
    key = Path(cfg["key_file"]).read_text(encoding="ascii")
    user = EncordUserClient.create_with_ssh_private_key(key, domain=url)
    steps.run(
        "projects",
        lambda: [
            [p["project"]["title"], p["project"]["project_hash"], int(p["user_role"])]
            for p in user.get_projects()
        ],
    )
    steps.run(
        "datasets",
        lambda: [
            [d["dataset"].title, d["dataset"].dataset_hash, int(d["user_role"])]
            for d in user.get_datasets()
        ],
    )
    reader = steps.run(
        "create project key",
        lambda: user.create_project_api_key(project, "reads labels", [APIKeyScopes.LABEL_READ]),
    )
    writer = steps.run(
        "create write-only project key",
        lambda: user.create_project_api_key(project, "writes labels", [APIKeyScopes.LABEL_WRITE]),
    )
    every = steps.run(
        "get or create project key", lambda: user.get_or_create_project_api_key(project)
    )
    steps.run("get or create again", lambda: user.get_or_create_project_api_key(project) == every)
    steps.run(
        "project keys",
        lambda: sorted(
            [k.api_key, k.title, [s.value for s in k.scopes]]
            for k in user.get_project_api_keys(project)
        ),
    )
    dataset_key = steps.run(
        "create dataset key",
        lambda: user.create_dataset_api_key(dataset, "reads the dataset", [DatasetScope.READ]),
    )
    steps.run(
        "dataset keys",
        lambda: [
            [k.api_key, k.title, [s.value for s in k.scopes]]
            for k in user.get_dataset_api_keys(dataset)
        ],
    )
    if dataset_key is not None:
        steps.run("dataset key value", lambda: dataset_key.api_key)

    reading = steps.run(
        "project key client", lambda: EncordClient.initialise(project, reader, domain=url)
    )
    steps.run("project key reads its project", lambda: reading.get_project()["title"])
    steps.run("project key reads a label row", lambda: reading.get_label_row("no-such-label-row"))
    steps.run(
        "read-only key saves a label row",
        lambda: reading.save_label_row("no-such-label-row", {}),
    )
    writing = EncordClient.initialise(project, writer, domain=url)
    steps.run(
        "write-only key reads a label row", lambda: writing.get_label_row("no-such-label-row")
    )
    steps.run(
        "write-only key saves a label row",
        lambda: writing.save_label_row("no-such-label-row", {}),
    )
    dataset_writer = steps.run(
        "create write-only dataset key",
        lambda: user.create_dataset_api_key(dataset, "writes the dataset", [DatasetScope.WRITE]),
    )
    if dataset_writer is not None:
        steps.run(
            "write-only dataset key reads its dataset",
            lambda: (
                EncordClient.initialise(dataset, dataset_writer.api_key, domain=url)
                .get_dataset()
                .title
            ),
        )
    if dataset_key is not None:
        data = steps.run(
            "dataset key client",
            lambda: EncordClient.initialise(dataset, dataset_key.api_key, domain=url),
        )
        steps.run("dataset key reads its dataset", lambda: data.get_dataset().title)
    steps.run(
        "unknown key",
        lambda: EncordClient.initialise(
            project, "00000000-0000-4000-8000-000000000000", domain=url
        ),
    )
    steps.run(
        "key for another resource", lambda: EncordClient.initialise(dataset, reader, domain=url)
    )

    token = user.get_bearer_token()
    steps.run(
        "projects with bearer token",
        lambda: [
            p["project"]["title"]
            for p in EncordUserClient.create_with_bearer_token(token, domain=url).get_projects()
        ],
    )
    steps.report()


if __name__ == "__main__":
    main()
