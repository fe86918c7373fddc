"""Running a stand-in: uvicorn in a background thread, on a free port, for the length of a test."""

from __future__ import annotations

import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse, Response


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        import json

        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        from urllib.parse import parse_qsl

        return dict(parse_qsl(self.body.decode()))


@dataclass
class Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


class StandIn:
    """What every stand-in shares: the request log and scripted failures."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._failures: dict[tuple[str, str], deque[Failure]] = {}
        self.lock = threading.Lock()
        # Set to make the next matching request hang until `release` is set (a slow network).
        self.hold: threading.Event | None = None

    def fail_next(
        self,
        method: str,
        path: str,
        status: int,
        headers: dict[str, str] | None = None,
        body: Any = None,
        times: int = 1,
    ) -> None:
        with self.lock:
            queue = self._failures.setdefault((method.upper(), path), deque())
            for _ in range(times):
                queue.append(Failure(status, headers or {}, body))

    async def record(self, request: Request) -> Response | None:
        """Log the request; return the scripted failure for it, if one is queued."""
        body = await request.body()
        entry = Recorded(
            request.method,
            request.url.path,
            dict(request.query_params),
            {k.lower(): v for k, v in request.headers.items()},
            body,
        )
        with self.lock:
            self.requests.append(entry)
            queue = self._failures.get((request.method, request.url.path))
            failure = queue.popleft() if queue else None
        if failure is None:
            return None
        body_out = failure.body if failure.body is not None else {"error": f"scripted {failure.status}"}
        if isinstance(body_out, str | bytes):
            return Response(body_out, status_code=failure.status, headers=failure.headers)
        return JSONResponse(body_out, status_code=failure.status, headers=failure.headers)

    def calls(self, method: str, path: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.method == method and r.path == path]


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve the ASGI `app` on 127.0.0.1 until the block ends; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"stand-in-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the stand-in server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
