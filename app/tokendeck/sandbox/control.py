"""What every emulated platform shares: fault injection, latency, clock offset, lifetimes,
and the admin endpoint that controls them (`/__sandbox/...`, loopback only).

Faults, for the next N requests or at a seeded rate (reproducible runs):
  500, 503, 429 (with Retry-After), reset (headers then the connection drops), timeout (the
  answer comes after `timeout_seconds`), malformed (200 with invalid JSON), truncated (a body
  shorter than its Content-Length), redirect (307 to another origin), drop_answer (the request
  is carried out, then its answer is cut off: the ambiguous failure of a create).
  A queued fault may name a method ("method": "POST") and then waits for such a request.

    POST /__sandbox/faults   {"kind": "503", "count": 2}  or  {"kind": "500", "rate": 0.2}
    POST /__sandbox/config   {"token_lifetime": 5, "latency": 0.05, "clock_offset": -30}
                             ("session_lifetime": sign-in and access tokens only)
    POST /__sandbox/reset    clears faults and config (lifetimes back to those it started with)
    GET  /__sandbox/state    what is set, and how many requests each fault hit
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FAULT_KINDS = (
    "500",
    "503",
    "429",
    "reset",
    "timeout",
    "malformed",
    "truncated",
    "redirect",
    "drop_answer",
)
ADMIN_PREFIX = "/__sandbox"
# `--demo-lifetimes` and `tokendeck --demo`: sign-in and access tokens last 5 minutes, so renewal
# shows while a person watches; API keys keep their documented lifetimes (a Dataloop key that
# expired after 5 minutes would only nag). Without it every platform's documented lifetime holds.
DEMO_SESSION_LIFETIME = 300


@dataclass
class Control:
    seed: int = 1
    token_lifetime: int | None = None  # every token and API key (tests: expiry in seconds)
    session_lifetime: int | None = None  # sign-in and access tokens only (the demo's)
    # What the sandbox was started with (--token-lifetime, --demo-lifetimes): a reset goes back
    # to it, as the lifetimes it announced.
    launch_lifetimes: tuple[int | None, int | None] = (None, None)
    latency: float = 0.0
    clock_offset: float = 0.0
    timeout_seconds: float = 30.0
    queued: list[tuple[str, str | None]] = field(default_factory=list)
    rates: dict[str, float] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(1))

    def now(self) -> float:
        return time.time() + self.clock_offset

    def lifetime(self, default: int) -> int:
        """A sign-in or access token's lifetime: `default` is the platform's documented one."""
        for chosen in (self.token_lifetime, self.session_lifetime):
            if chosen is not None:
                return chosen
        return default

    def key_lifetime(self, default: int) -> int:
        """An API key's lifetime: only `token_lifetime` shortens it."""
        return self.token_lifetime if self.token_lifetime is not None else default

    def next_fault(self, method: str = "GET") -> str | None:
        for index, (kind, wanted) in enumerate(self.queued):
            if wanted is None or wanted == method:
                del self.queued[index]
                return kind
        for kind, rate in self.rates.items():
            if self.rng.random() < rate:
                return kind
        return None

    def launch_with(self, token_lifetime: int | None, session_lifetime: int | None) -> None:
        self.launch_lifetimes = (token_lifetime, session_lifetime)
        self.token_lifetime, self.session_lifetime = self.launch_lifetimes

    def reset(self) -> None:
        self.token_lifetime, self.session_lifetime = self.launch_lifetimes
        self.latency = 0.0
        self.clock_offset = 0.0
        self.queued.clear()
        self.rates.clear()
        self.hits.clear()
        self.rng = random.Random(self.seed)


def admin_routes(control: Control) -> list[Route]:
    async def faults(request: Request) -> JSONResponse:
        body = await request.json()
        kind = str(body.get("kind"))
        if kind not in FAULT_KINDS:
            return JSONResponse({"error": f"kind must be one of {FAULT_KINDS}"}, status_code=400)
        if "rate" in body:
            control.rates[kind] = float(body["rate"])
        else:
            method = body.get("method")
            control.queued.extend(
                [(kind, str(method) if method else None)] * int(body.get("count", 1))
            )
        return JSONResponse({"queued": [k for k, _ in control.queued], "rates": control.rates})

    async def config(request: Request) -> JSONResponse:
        body = await request.json()
        for name in (
            "token_lifetime",
            "session_lifetime",
            "latency",
            "clock_offset",
            "timeout_seconds",
        ):
            if name in body:
                setattr(control, name, body[name])
        return JSONResponse(_state(control))

    async def reset(request: Request) -> JSONResponse:
        control.reset()
        return JSONResponse(_state(control))

    async def state(request: Request) -> JSONResponse:
        return JSONResponse(_state(control))

    return [
        Route(f"{ADMIN_PREFIX}/faults", faults, methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/config", config, methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/state", state),
    ]


def _state(control: Control) -> dict[str, Any]:
    return {
        "token_lifetime": control.token_lifetime,
        "session_lifetime": control.session_lifetime,
        "latency": control.latency,
        "clock_offset": control.clock_offset,
        "queued": [k for k, _ in control.queued],
        "rates": control.rates,
        "hits": control.hits,
    }


class FaultMiddleware:
    """Applies latency and the next fault to every non-admin request."""

    def __init__(self, app: ASGIApp, control: Control) -> None:
        self.app = app
        self.control = control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        if self.control.latency:
            await asyncio.sleep(self.control.latency)
        fault = self.control.next_fault(scope.get("method", "GET"))
        if fault is None:
            await self.app(scope, receive, send)
            return
        self.control.hits[fault] = self.control.hits.get(fault, 0) + 1
        await _inject(fault, self.control, scope, receive, send)


async def _inject(fault: str, control: Control, scope: Scope, receive: Receive, send: Send) -> None:
    if fault in ("500", "503"):
        body = b'{"message": "sandbox: injected server error"}'
        await Response(body, status_code=int(fault), media_type="application/json")(
            scope, receive, send
        )
    elif fault == "429":
        await Response(
            b'{"message": "sandbox: slow down"}',
            status_code=429,
            headers={"Retry-After": "1"},
            media_type="application/json",
        )(scope, receive, send)
    elif fault == "timeout":
        await asyncio.sleep(control.timeout_seconds)
        await Response(b"{}", media_type="application/json")(scope, receive, send)
    elif fault == "malformed":
        await Response(b'{"access_token": "abc", ', media_type="application/json")(
            scope, receive, send
        )
    elif fault == "drop_answer":
        await _drop_answer(control, scope, receive, send)
    elif fault == "redirect":
        await Response(
            status_code=307, headers={"Location": "http://127.0.0.2:9/stolen" + scope["path"]}
        )(scope, receive, send)
    else:  # reset / truncated: headers promise a body that never fully arrives
        start: Message = {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"400")],
        }
        await send(start)
        if fault == "truncated":
            await send({"type": "http.response.body", "body": b'{"data": [', "more_body": True})
        raise ConnectionResetError("sandbox: injected connection drop")


async def _drop_answer(control: Control, scope: Scope, receive: Receive, send: Send) -> None:
    app = scope["app"]
    captured: list[Message] = []

    async def keep(message: Message) -> None:
        captured.append(message)

    await app.router(scope, receive, keep)
    start = next(m for m in captured if m["type"] == "http.response.start")
    await send({**start, "headers": [*start.get("headers", []), (b"x-sandbox", b"drop")]})
    raise ConnectionResetError("sandbox: the answer was lost after the request was carried out")
