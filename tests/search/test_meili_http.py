"""The engine's own HTTP client: the path under a proxy prefix, the key, the body, no answer."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

from directory.search.meili import HTTP_ERRORS, MeiliHTTP


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Recorder.seen.append(
            {
                "path": self.path,
                "auth": self.headers.get("Authorization"),
                "type": self.headers.get("Content-Type"),
                "body": json.loads(self.rfile.read(length)),
            }
        )
        reply = b'{"ok": true}'
        self.send_response(201)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Recorder.seen.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_request_keeps_the_url_path_and_sends_key_and_json(server: str) -> None:
    client = MeiliHTTP(f"{server}/meili/", "secret", timeout_s=2)
    status, content = client.request("POST", "/indexes/entries/search", {"q": "café", "page": 2})
    assert (status, json.loads(content)) == (201, {"ok": True})
    assert _Recorder.seen == [
        {
            "path": "/meili/indexes/entries/search",
            "auth": "Bearer secret",
            "type": "application/json",
            "body": {"q": "café", "page": 2},
        }
    ]


def test_no_key_sends_no_authorization(server: str) -> None:
    MeiliHTTP(server, None, timeout_s=2).request("POST", "/x", {})
    assert _Recorder.seen[0]["auth"] is None


def test_refused_connection_raises_an_http_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(HTTP_ERRORS):
        MeiliHTTP(f"http://127.0.0.1:{port}", None, timeout_s=2).request("GET", "/health")
