"""A webhook receiver for tests: a tiny HTTP server on loopback, in a thread (no internet), that
records what it is sent and answers the status codes it is told to, in order (then 200)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    def signed_by(self, secret: str) -> bool:
        """What a receiver does: the HMAC-SHA256 of the exact bytes received, compared in constant time."""
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers.get("x-gridgov-signature", ""))


@dataclass
class Receiver:
    url: str
    got: list[Received] = field(default_factory=list)
    answers: deque = field(default_factory=deque)

    def answer(self, *codes: int) -> None:
        self.answers.extend(codes)

    def clear(self) -> None:
        self.got.clear()
        self.answers.clear()

    def events(self) -> list[tuple[str, str]]:
        return [(r.json["case_no"], r.json["action"]) for r in self.got]


def start() -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the http.server API)
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            receiver.got.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            code = receiver.answers.popleft() if receiver.answers else 200
            self.send_response(code)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    return receiver, server
