"""The records Encord answers, in the shapes its official SDK reads: each built as the SDK's own
model requires (named at each function), so the SDK, unchanged, reads the sandbox
(tests/contract). v1 (`/public`, `/public/user`) writes snake_case and its own time format; v2
(`/v2/public/...`) writes camelCase and ISO 8601."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

PROJECT_TYPE, PROJECT_STATUS = "workflow", "inProgress"  # encord.orm.project ProjectType / Status
ADMIN_ROLE = 0  # encord.utilities.project_user.ProjectUserRole.ADMIN (v1 and v2)
DATASET_ADMIN = "admin"  # encord.orm.dataset.DatasetUserRoleV2.ADMIN (v2)
CORD_STORAGE = 0  # encord.orm.dataset.StorageLocation.CORD_STORAGE
V1_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # SDK 0.1.145 orm.base_orm parses v1 times with it
EMPTY_ONTOLOGY: dict[str, list[Any]] = {"objects": [], "classifications": []}


def created_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _v1_time(moment: datetime) -> str:
    return moment.strftime(V1_TIME_FORMAT)


def v1_project(project_hash: str, project: dict[str, Any]) -> dict[str, Any]:
    """SDK 0.1.145 encord.orm.project.Project (its DB_FIELDS): get_projects(), get_project()."""
    return {
        "project_hash": project_hash,
        "title": project["title"],
        "description": "",
        "created_at": _v1_time(project["created_at"]),
        "last_edited_at": _v1_time(project["created_at"]),
        "editor_ontology": EMPTY_ONTOLOGY,
        "datasets": [],
        "label_rows": [],
        "ontology_hash": project["ontology_hash"],
        "source_projects": [],
        "workflow_manager_uuid": None,
    }


def v1_dataset_info(dataset_hash: str, dataset: dict[str, Any]) -> dict[str, Any]:
    """SDK 0.1.145 encord.orm.dataset.DatasetInfo: get_datasets()."""
    return {
        "dataset_hash": dataset_hash,
        "user_hash": str(uuid.uuid5(uuid.NAMESPACE_URL, dataset["creator"])),
        "title": dataset["title"],
        "description": "",
        "type": CORD_STORAGE,
        "created_at": _v1_time(dataset["created_at"]),
        "last_edited_at": _v1_time(dataset["created_at"]),
    }


def v1_dataset(dataset_hash: str, dataset: dict[str, Any]) -> dict[str, Any]:
    """SDK 0.1.145 encord.orm.dataset.Dataset.from_dict: a dataset key's get_dataset()."""
    return {
        "dataset_hash": dataset_hash,
        "title": dataset["title"],
        "description": "",
        "dataset_type": "CORD_STORAGE",
        "data_rows": [],
    }


def v2_project(project_hash: str, project: dict[str, Any]) -> dict[str, Any]:
    """encord.orm.project.ProjectDTO (current SDK, list_projects): every required field."""
    return {
        "projectHash": project_hash,
        "projectType": PROJECT_TYPE,
        "status": PROJECT_STATUS,
        "title": project["title"],
        "description": "",
        "createdAt": project["created_at"].isoformat(),
        "creatorEmail": project["creator"],
        "lastEditedAt": project["created_at"].isoformat(),
        "ontologyHash": project["ontology_hash"],
        "editorOntology": EMPTY_ONTOLOGY,
        "userRole": ADMIN_ROLE,
    }


def v2_dataset(dataset_hash: str, dataset: dict[str, Any]) -> dict[str, Any]:
    """encord.orm.dataset.DatasetWithUserRole (current SDK, get_datasets)."""
    return {
        "datasetUuid": dataset_hash,
        "title": dataset["title"],
        "description": "",
        "createdAt": dataset["created_at"].isoformat(),
        "lastEditedAt": dataset["created_at"].isoformat(),
        "userRole": DATASET_ADMIN,
        "storageLocation": CORD_STORAGE,
    }
