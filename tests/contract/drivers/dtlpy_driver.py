"""Dataloop's official SDK (dtlpy), unchanged, against `tokendeck sandbox`.

Run by tests/contract/test_dtlpy_sdk.py in dtlpy's own venv; see harness.py for the protocol.
Only the sandbox's admin endpoint (session lifetime) and a key revocation, which dtlpy has no
call for, are made with urllib; everything else is the SDK's own calls."""

from __future__ import annotations

import base64
import json
import logging
import urllib.request
from typing import Any

import dtlpy as dl
from harness import Steps, config


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def lifetime(token: str) -> int:
    found = claims(token)
    return int(found["exp"]) - int(found["iat"])


def raw(method: str, url: str, body: dict[str, Any] | None = None, token: str = "") -> int:
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"not the sandbox: {url}")
    request = urllib.request.Request(  # noqa: S310 (the sandbox's http URL, checked above)
        url, method=method, data=json.dumps(body).encode() if body is not None else None
    )
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return int(answer.status)


class Answers(logging.Handler):
    """The answers dtlpy logs when a call fails (`[Response <401>]...[Text: ...]`)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())


def project_fields(project: Any) -> dict[str, Any]:
    """What dtlpy made of a project, its contributors included."""
    return {
        "id": project.id,
        "name": project.name,
        "creator": project.creator,
        "org": project.org,
        "contributors": [[u.email, u.role, u.id] for u in project.contributors],
    }


def forged_key(real: str) -> str:
    """The real key's header and claims with a signature the sandbox never made."""
    header, payload, _ = real.split(".")
    return f"{header}.{payload}." + base64.urlsafe_b64encode(b"x" * 256).decode().rstrip("=")


def main() -> None:
    cfg = config()
    url, email, password = cfg["url"], cfg["email"], cfg["password"]
    steps = Steps()
    api = dl.client_api
    steps.run(
        "environment",
        lambda: (
            (
                dl.add_environment(
                    environment=f"{url}/api/v1", gate_url=url, alias="tokendeck-sandbox"
                ),
                dl.setenv("tokendeck-sandbox"),
            )
            and api.environment
        ),
    )
    answers = Answers()
    logging.getLogger("dtlpy").addHandler(answers)
    steps.run(
        "wrong password",
        lambda: [dl.login_m2m(email, password + "-wrong"), [a for a in answers.seen if "<" in a]],
    )
    steps.run("sign in", lambda: dl.login_m2m(email, password, force=True))
    steps.run("id_token lifetime", lambda: lifetime(api.token))
    steps.run("who", lambda: api.gen_request(req_type="get", path="/users/me")[1].json()["email"])
    listed = steps.run("projects", lambda: [project_fields(p) for p in dl.projects.list()])
    if listed:
        steps.run(
            "project by id",
            lambda: project_fields(dl.projects.get(project_id=listed[0]["id"])),
        )
    first = api.token
    steps.run("refresh", lambda: api.renew_token())
    steps.run("refreshed token is new", lambda: api.token != first)
    steps.run("projects after refresh", lambda: [project_fields(p) for p in dl.projects.list()])

    # A session closer to its end than dtlpy's 60 s margin: its next call renews it first.
    steps.run(
        "short sessions", lambda: raw("POST", f"{url}/__sandbox/config", {"session_lifetime": 30})
    )
    steps.run("sign in short", lambda: dl.login_m2m(email, password, force=True))
    short = api.token
    steps.run("short lifetime", lambda: lifetime(short))
    steps.run("projects renew first", lambda: [project_fields(p) for p in dl.projects.list()])
    steps.run("renewed before the call", lambda: api.token != short)
    steps.run(
        "usual sessions", lambda: raw("POST", f"{url}/__sandbox/config", {"session_lifetime": None})
    )

    key = steps.run("create api key", lambda: api.generate_api_key(description="contract test"))
    session = api.token
    if key:
        steps.run("api key lifetime", lambda: lifetime(key))
        steps.run("api key kind", lambda: claims(key).get("typ"))
        steps.run("sign in with api key", lambda: dl.login_api_key(key) or api.token == key)
        steps.run("projects with api key", lambda: [project_fields(p) for p in dl.projects.list()])
        steps.run("forged api key", lambda: dl.login_api_key(forged_key(key)))
        steps.run(
            "revoke api key",
            lambda: raw("DELETE", f"{url}/api/v1/apikeys/{claims(key)['jti']}", token=session),
        )
        steps.run("revoked api key", lambda: dl.login_api_key(key))
    steps.run("sign in with token", lambda: dl.login_token(session) or api.token == session)
    steps.report()


if __name__ == "__main__":
    main()
