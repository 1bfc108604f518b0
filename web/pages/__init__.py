"""HTML pages, each module beside the part of the domain it shows."""

from typing import Any

from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

from web.accounts.current import SAME_FOR_EVERYONE
from web.accounts.pages import ACCOUNT_HANDLERS
from web.pages.broker import BROKER_HANDLERS
from web.pages.common import STATIC_DIR
from web.pages.entries import ENTRY_PAGE_HANDLERS
from web.pages.home import home
from web.pages.map import map_page
from web.pages.scout import SCOUT_HANDLERS
from web.pages.search import SEARCH_PAGE_HANDLERS
from web.pages.support import SUPPORT_HANDLERS
from web.pages.wijkgram import WIJKGRAM_HANDLERS

PAGE_HANDLERS: list[Any] = [
    home,
    map_page,
    *SCOUT_HANDLERS,
    *SUPPORT_HANDLERS,
    *WIJKGRAM_HANDLERS,
    *SEARCH_PAGE_HANDLERS,
    *ENTRY_PAGE_HANDLERS,
    *BROKER_HANDLERS,
    *ACCOUNT_HANDLERS,
    # What web/map_assets.py does not serve (Swagger UI's copy): checked each time, 304 by ETag.
    create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        include_in_schema=False,
        cache_control=CacheControlHeader(public=True, no_cache=True),
        opt=SAME_FOR_EVERYONE,
    ),
]
