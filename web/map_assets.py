"""The pages' and map frames' scripts and styles, gzipped once per process, and gzip for the map's JSON.

The maps run in sandboxed frames with an opaque origin (web/maps.py), and Chromium keeps
no HTTP cache for such a frame (its network partition is transient): every map view
fetches MapLibre GL JS (1 MB), Leaflet and the tiles again, whatever Cache-Control says
(bench/map_paint.py shows it: the second view asks the server for every file again).
On a phone's network those bytes are most of the wait, so they go out compressed:

* the map's own static files (`MAP_ASSETS`, the files of web/maps.py MAP_JS and MAP_CSS)
  and the pages' own (`PAGE_ASSETS`: wijkgram.css and the pages' scripts, linked by the
  templates with `static_url`): gzipped once at level 9 and kept in memory (MapLibre:
  1,058 KB -> 276 KB), never per request; their URLs carry `?v=` and a hash of the file,
  so wherever a cache is kept (the page around the frame, another browser) they are
  cached for a year; asked without it (or with an old hash) they must be revalidated
  (`no-cache`, the ETag answers 304). Every other file under /static (Swagger UI's copy)
  comes from Litestar's static files with `no-cache` and its ETag;
* the map's JSON and TileJSON (`/api/v1/map/`, `/tiles/*.json`): Litestar's gzip at
  level 1 (`MapCompression`, a few KB each); the vector tiles gzip themselves
  (web/api/tiles.py), once per tile and process, with an ETag of their own.

Pages are never compressed here: they carry a CSRF token next to reflected input (BREACH).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs

from litestar.config.compression import CompressionConfig
from litestar.datastructures import Headers
from litestar.enums import CompressionEncoding, ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR = "/static/vendor"
#: What every map frame loads (web/maps.py), in the order it loads them.
MAP_CSS = (
    f"{VENDOR}/leaflet/leaflet.css",
    f"{VENDOR}/maplibre-gl/maplibre-gl.css",
    f"{VENDOR}/leaflet.markercluster/MarkerCluster.css",
    f"{VENDOR}/leaflet.markercluster/MarkerCluster.Default.css",
    "/static/map.css",
)
MAP_JS = (
    f"{VENDOR}/leaflet/leaflet.js",
    f"{VENDOR}/maplibre-gl/maplibre-gl.js",
    f"{VENDOR}/maplibre-gl-leaflet/leaflet-maplibre-gl.js",
    f"{VENDOR}/leaflet.markercluster/leaflet.markercluster.js",
    "/static/map.js",
)
MAP_ASSETS = frozenset(MAP_CSS + MAP_JS)
#: The pages' own styles and scripts (web/templates), served like the map's.
PAGE_ASSETS = frozenset(
    {
        "/static/wijkgram.css",
        "/static/wijkgram-page.css",
        "/static/wijkgram.js",
        "/static/kaart.js",
        "/static/support.js",
        "/static/print.js",
    }
)
SERVED_ASSETS = MAP_ASSETS | PAGE_ASSETS
#: Answers worth compressing that carry nothing secret: tiles and the map's places and outlines.
COMPRESSED_PREFIXES = ("/tiles/", "/api/v1/map/")
YEAR = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    """One static file as served: its bytes, gzipped bytes, type and version."""

    body: bytes
    gzipped: bytes
    content_type: str
    version: str


@cache
def _asset(url: str, stamp: tuple[int, int]) -> Asset:
    body = (STATIC_DIR / url.removeprefix("/static/")).read_bytes()
    kind = mimetypes.guess_type(url)[0] or "application/octet-stream"
    return Asset(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        content_type=f"{kind}; charset=utf-8" if kind.startswith("text/") else kind,
        version=hashlib.sha256(body).hexdigest()[:12],
    )


def asset(url: str) -> Asset:
    """A map asset as it is on disk now (read again only when the file changes)."""
    stat = (STATIC_DIR / url.removeprefix("/static/")).stat()
    return _asset(url, (stat.st_mtime_ns, stat.st_size))


def versioned(url: str) -> str:
    """The URL of a map or page asset with `?v=` and its content hash (kept a year where caches apply)."""
    return f"{url}?v={asset(url).version}"


def static_url(url: str) -> str:
    """A template's link to a static file: versioned when this module serves it, else as it is."""
    return versioned(url) if url in SERVED_ASSETS else url


class MapAssets(ASGIMiddleware):
    """Serve `SERVED_ASSETS` from memory, gzipped when the browser takes gzip; everything else passes."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        path = scope.get("path", "")
        method = scope.get("method", "GET")
        if path not in SERVED_ASSETS or method not in ("GET", "HEAD"):
            await next_app(scope, receive, send)
            return
        found = asset(path)
        headers = Headers.from_scope(scope)
        zipped = "gzip" in headers.get("accept-encoding", "")
        body = found.gzipped if zipped else found.body
        etag = f'"{found.version}{"-gz" if zipped else ""}"'
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [])
        response: list[tuple[bytes, bytes]] = [
            (b"content-type", found.content_type.encode()),
            (b"etag", etag.encode()),
            (b"vary", b"Accept-Encoding"),
            # A URL naming this version may be kept for a year; any other is checked each time.
            (b"cache-control", (YEAR if asked == [found.version] else "public, no-cache").encode()),
        ]
        if zipped:
            response.append((b"content-encoding", b"gzip"))
        status = 304 if etag in headers.get("if-none-match", "") else 200
        if status == 200:
            response.append((b"content-length", str(len(body)).encode()))
        start: HTTPResponseStartEvent = {"type": "http.response.start", "status": status, "headers": response}
        await send(start)
        sent: HTTPResponseBodyEvent = {
            "type": "http.response.body",
            "body": body if status == 200 and method != "HEAD" else b"",
            "more_body": False,
        }
        await send(sent)


class MapCompression(CompressionMiddleware):
    """Litestar's gzip, for `COMPRESSED_PREFIXES` only (pages with a CSRF token stay uncompressed).

    An answer that already carries a `Content-Encoding` goes out as it is: the vector tiles and
    the first views' pictures come gzipped from their handlers, which keep the gzipped bytes and
    give them an ETag of their own. Litestar's middleware does not look: it would gzip them a
    second time and keep the header saying once.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") == ScopeType.HTTP and scope.get("path", "").startswith(COMPRESSED_PREFIXES):
            await super().__call__(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def create_compression_send_wrapper(
        self,
        send: Send,
        compression_encoding: Literal[CompressionEncoding.BROTLI, CompressionEncoding.GZIP] | str,
        scope: Scope,
    ) -> Send:
        # Made at the answer's start, and only for an answer to compress: a tile from memory
        # would otherwise pay for a gzip stream (and its deflate state) it never uses.
        compressing = super().create_compression_send_wrapper
        target = send

        async def send_wrapper(message: Message) -> None:
            nonlocal target
            if message["type"] == "http.response.start":
                encoded = any(bytes(name).lower() == b"content-encoding" for name, _ in message["headers"])
                target = send if encoded else compressing(send, compression_encoding, scope)
            await target(message)

        return send_wrapper


def compression_config() -> CompressionConfig:
    """gzip at level 1 for answers of 1 KB and more.

    Level 6 took 3.7 ms for an 82 KB entries tile at zoom 14, more than the cached tile's
    whole 5 ms budget; level 1 takes 0.6 ms and the answer is about 4 % larger.
    """
    return CompressionConfig(
        backend="gzip", gzip_compress_level=1, minimum_size=1024, middleware_class=MapCompression
    )
