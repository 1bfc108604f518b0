"""Security headers on every response, and `Cache-Control: no-store` where a page is private.

Set in a `before_send` hook of the app, not a middleware: Litestar runs
middleware per route, so its own 404 and 405 answers would go out bare.

The Content-Security-Policy allows scripts from this site only: no inline
script, no `eval`, no other host. The maps are `<iframe srcdoc>` documents
(web/maps.py); a srcdoc document inherits the policy of the page around it,
so it too runs only /static/vendor/leaflet and /static/map.js and reads its
data from a JSON block. Styles may be inline (`style="..."` attributes in the
templates; Leaflet positions its panes with them) but cannot run anything.
Images: this site, data: URLs (marker cluster icons) and the base map's tile
server.
"""

from __future__ import annotations

from litestar.types import Message, Scope

from directory.settings import get_settings
from web.accounts.current import same_for_everyone
from web.basemap import third_party_origin


def site_policy(tile_url: str = "") -> str:
    """The policy of every page; a third-party base map (`WIJKGRAM_TILE_URL`) adds its origin only.

    `worker-src blob:`: MapLibre GL JS draws the base map in a web worker that it starts
    from a blob: URL made from its own bundle (the sandboxed map frame has an opaque
    origin, so a worker from a /static URL would be refused); nothing else may start one.
    """
    third = third_party_origin(tile_url)
    extra = f" {third}" if third else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob:{extra}",
            f"connect-src 'self'{extra}",
            "worker-src blob:",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = site_policy()
#: Swagger UI under /schema comes from our own copy (web/static/vendor/swagger-ui) but is started
#: by Litestar with an inline script and draws its icons as data: images. It shows no directory
#: data and no client's address; everything else stays as strict as above.
DOCS_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
DOCS_PREFIX = "/schema/"
DOCS_DOCUMENTS = ("/schema/openapi.json", "/schema/openapi.yaml", "/schema/openapi.yml")

#: Pages that show a client's address or what was found around it: never kept by a browser or proxy,
#: so Back or a shared computer's cache cannot show them to the next person.
NO_STORE_PATHS = frozenset(
    {
        "/steun/zoeken",
        "/steun/folder",
        "/kaart/bereik",
        "/kaart/groep",
        "/wijkgram",
        "/wijkgram/teken",
        # Their JSON twins (geo/api.py marks them too; listed here so one place names them all).
        "/api/v1/geocode",
        "/api/v1/reach",
        "/api/v1/reach/group",
        "/api/v1/wijkgram",
    }
)
#: Broker and admin pages (and everything a logged-in person sees): gone from the cache after logout.
NO_STORE_PREFIXES = ("/beheer",)

#: Public data the sandboxed map frames fetch: the frame has an opaque origin ("null"), so the browser
#: hands it the answer only with this header. Asked without cookies; nothing here is private.
OPEN_TO_MAP_FRAMES = ("/api/v1/map/", "/tiles/")

COMMON_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
]


def must_not_store(path: str, logged_in: bool, shared: bool = False) -> bool:
    """True for responses no browser or proxy may keep (see NO_STORE_PATHS and NO_STORE_PREFIXES).

    `shared`: the answer is the same for everyone (its route is marked `SAME_FOR_EVERYONE`).
    """
    if path in NO_STORE_PATHS or path.startswith(NO_STORE_PREFIXES):
        return True
    # Pages for a logged-in person carry their name and their role's links; static files and map
    # tiles stay cacheable.
    return logged_in and not shared


def content_security_policy(path: str) -> str:
    """The policy for a path: strict everywhere, relaxed only for Litestar's API viewers."""
    if path.startswith(DOCS_PREFIX) and path not in DOCS_DOCUMENTS:
        return DOCS_CONTENT_SECURITY_POLICY
    return site_policy(get_settings().web.tile_url)


async def add_security_headers(message: Message, scope: Scope) -> None:
    """`before_send` hook: add the headers above to the start of every HTTP response.

    A coroutine, though it awaits nothing: Litestar runs a plain function hook in a worker
    thread, twice per answer (its start and its body), which cost more than the rest of a
    tile answered from memory.
    """
    if message["type"] != "http.response.start":
        return
    path = scope.get("path", "")
    headers = [
        (name, value)
        for name, value in message.get("headers", [])
        if bytes(name).lower() not in {b"cache-control", b"pragma"} or not _no_store(scope, path)
    ]
    present = {bytes(name).lower() for name, _ in headers}
    for name, value in COMMON_HEADERS:
        if name not in present:
            headers.append((name, value))
    if b"content-security-policy" not in present:
        headers.append((b"content-security-policy", content_security_policy(path).encode()))
    if _no_store(scope, path):
        headers.append((b"cache-control", b"no-store"))
    if path.startswith(OPEN_TO_MAP_FRAMES) and b"access-control-allow-origin" not in present:
        headers.append((b"access-control-allow-origin", b"*"))
    message["headers"] = headers


def _no_store(scope: Scope, path: str) -> bool:
    return must_not_store(path, scope.get("user") is not None, same_for_everyone(scope))
