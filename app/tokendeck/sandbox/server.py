"""Serve sandbox apps with uvicorn on 127.0.0.1, each on its own port (0 picks a free one).

`SandboxServer` runs them on a background thread with its own event loop, for tests and
`--demo`; `tokendeck sandbox` runs the same in the foreground.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from typing import Any

import uvicorn

from tokendeck.sandbox.tls import SandboxPki

HOST = "127.0.0.1"


class SandboxServer:
    def __init__(
        self,
        apps: Mapping[str, Any],
        ports: Mapping[str, int] | None = None,
        tls: SandboxPki | None = None,
    ) -> None:
        """`tls`: serve HTTPS with that certificate (URLs https://127.0.0.1:PORT)."""
        self._apps = dict(apps)
        self._tls = tls
        self._ports = dict(ports or {})
        self._servers: dict[str, uvicorn.Server] = {}
        self.urls: dict[str, str] = {}
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    async def serve(self) -> None:
        for name, app in self._apps.items():
            tls: dict[str, Any] = (
                {"ssl_certfile": str(self._tls.cert_file), "ssl_keyfile": str(self._tls.key_file)}
                if self._tls is not None
                else {}
            )
            config = uvicorn.Config(
                app,
                host=HOST,
                port=self._ports.get(name, 0),
                log_level="warning",
                lifespan="off",
                **tls,
            )
            server = uvicorn.Server(config)
            self._servers[name] = server
        tasks = [asyncio.ensure_future(s.serve()) for s in self._servers.values()]
        while not all(s.started for s in self._servers.values()):
            if any(t.done() for t in tasks):
                for t in tasks:
                    if t.done() and t.exception():
                        raise RuntimeError(f"sandbox failed to start: {t.exception()}")
                raise RuntimeError("sandbox failed to start")
            await asyncio.sleep(0.02)
        for name, server in self._servers.items():
            port = server.servers[0].sockets[0].getsockname()[1]
            scheme = "https" if self._tls is not None else "http"
            self.urls[name] = f"{scheme}://{HOST}:{port}"
            app = self._apps[name]
            owner = getattr(getattr(app, "state", None), "sandbox_owner", None)
            if owner is not None:
                owner.set_base_url(self.urls[name])
        self._ready.set()
        await asyncio.gather(*tasks)

    def start(self, timeout: float = 20) -> SandboxServer:
        def run() -> None:
            self._loop = asyncio.new_event_loop()
            try:
                self._loop.run_until_complete(self.serve())
            except BaseException as exc:  # reported to the starting thread
                self._error = exc
                self._ready.set()
            finally:
                self._loop.close()

        self._thread = threading.Thread(target=run, name="sandbox", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout) or self._error is not None:
            raise RuntimeError(f"the sandbox did not start: {self._error}")
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
