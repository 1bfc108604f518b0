"""Settings, one frozen dataclass per concern, filled from the environment.

A real environment variable always beats a value from a `.env` file in the
working directory; both beat the embedded defaults. Every variable is listed
in the README (a test fails when one is missing there).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _dotenv(path: Path) -> dict[str, str]:
    """Read KEY=VALUE lines from a .env file; missing file means no values."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def _env(name: str, default: str = "") -> str:
    """One setting: environment first, then .env, then the default."""
    if name in os.environ:
        return os.environ[name]
    return _dotenv(Path.cwd() / ".env").get(name, default)


def _env_int(name: str, default: int) -> int:
    value = _env(name, str(default))
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from exc


@dataclass(frozen=True)
class DatabaseSettings:
    """Where PostgreSQL is: an explicit DATABASE_URL, or the embedded private cluster."""

    url: str = field(default_factory=lambda: _env("DATABASE_URL"))
    data_dir: Path = field(default_factory=lambda: Path(_env("WIJKGRAM_DATA_DIR", str(REPO_ROOT / "var"))))
    pg_bin: str = field(default_factory=lambda: _env("WIJKGRAM_PG_BIN"))
    db_name: str = field(default_factory=lambda: _env("WIJKGRAM_DB_NAME", "wijkgram"))
    pool_size: int = field(default_factory=lambda: _env_int("WIJKGRAM_DB_POOL_SIZE", 10))

    @property
    def embedded(self) -> bool:
        """True when wijkgram runs its own cluster because no DATABASE_URL is set."""
        return not self.url


@dataclass(frozen=True)
class SearchSettings:
    """Which search engine answers: Meilisearch when MEILI_URL is set, else PostgreSQL."""

    meili_url: str = field(default_factory=lambda: _env("MEILI_URL"))
    meili_key: str = field(default_factory=lambda: _env("MEILI_MASTER_KEY"))
    index_name: str = field(default_factory=lambda: _env("MEILI_INDEX", "entries"))
    timeout_s: float = field(default_factory=lambda: float(_env("MEILI_TIMEOUT_S", "2")))


@dataclass(frozen=True)
class DataSettings:
    """Where the real shared data lives (tests, demo extras); absent on a fresh clone."""

    shared_dir: Path = field(
        default_factory=lambda: Path(_env("WIJKGRAM_SHARED_DATA", str(REPO_ROOT.parent / "shared" / "data")))
    )


@dataclass(frozen=True)
class WebSettings:
    """How the web app is served."""

    host: str = field(default_factory=lambda: _env("WIJKGRAM_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: _env_int("WIJKGRAM_PORT", 8000))
    debug: bool = field(default_factory=lambda: _env("WIJKGRAM_DEBUG", "0") == "1")
    stale_after_months: int = field(default_factory=lambda: _env_int("WIJKGRAM_STALE_AFTER_MONTHS", 12))
    cookie_secure: bool = field(default_factory=lambda: _env("WIJKGRAM_COOKIE_SECURE", "0") == "1")
    secret: str = field(default_factory=lambda: _env("WIJKGRAM_SECRET"))
    #: Where uploaded partner lists wait between preview and apply.
    upload_dir: Path = field(
        default_factory=lambda: Path(_env("WIJKGRAM_UPLOAD_DIR") or REPO_ROOT / "var" / "uploads")
    )
    #: Proxies whose X-Forwarded-For/-Proto uvicorn believes (comma-separated addresses or
    #: networks, `*` for any); empty: none, the peer address is the client (login throttling).
    forwarded_allow_ips: str = field(default_factory=lambda: _env("WIJKGRAM_FORWARDED_ALLOW_IPS"))
    #: Serve the API documentation pages (/schema/swagger, /schema/scalar ...).
    api_docs: bool = field(default_factory=lambda: _env("WIJKGRAM_API_DOCS", "1") != "0")
    #: Days an API token made by `wijkgram user token` stays valid (its --days overrides it).
    token_days: int = field(default_factory=lambda: _env_int("WIJKGRAM_TOKEN_DAYS", 90))
    #: A third party's base map tiles instead of our own (web/basemap.py); empty: our own, no request
    #: leaves the server. `.../{z}/{x}/{y}.png` is drawn as raster, `....mvt`/`.pbf` with our style.
    tile_url: str = field(default_factory=lambda: _env("WIJKGRAM_TILE_URL"))
    #: Megabytes of served tiles each app process keeps in memory (directory.services.tiles.TileMemory);
    #: 0: none, every tile is read from the database's tile cache.
    tile_memory_mb: int = field(default_factory=lambda: _env_int("WIJKGRAM_TILE_MEMORY_MB", 64))


@dataclass(frozen=True)
class GeoSettings:
    """Geocoding and routing: which geocoder, where PDOK is, how far a point may lie off the network."""

    geocoder: str = field(default_factory=lambda: _env("WIJKGRAM_GEOCODER", "auto"))
    pdok_url: str = field(
        default_factory=lambda: _env("WIJKGRAM_PDOK_URL", "https://api.pdok.nl/bzk/locatieserver/search/v3_1")
    )
    pdok_timeout_s: float = field(default_factory=lambda: float(_env("WIJKGRAM_PDOK_TIMEOUT_S", "3")))
    max_snap_m: int = field(default_factory=lambda: _env_int("WIJKGRAM_ROUTING_MAX_SNAP_M", 250))


@dataclass(frozen=True)
class ImportSettings:
    """Limits of one partner list (CLI and upload alike), so a hostile file cannot exhaust a worker."""

    max_rows: int = field(default_factory=lambda: _env_int("WIJKGRAM_IMPORT_MAX_ROWS", 10_000))
    max_xlsx_bytes: int = field(
        default_factory=lambda: _env_int("WIJKGRAM_IMPORT_MAX_XLSX_BYTES", 50_000_000)
    )
    max_rejected: int = field(default_factory=lambda: _env_int("WIJKGRAM_IMPORT_MAX_REJECTED", 500))


@dataclass(frozen=True)
class Settings:
    """All settings of one process."""

    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    data: DataSettings = field(default_factory=DataSettings)
    web: WebSettings = field(default_factory=WebSettings)
    geo: GeoSettings = field(default_factory=GeoSettings)
    imports: ImportSettings = field(default_factory=ImportSettings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()


#: Every environment variable wijkgram reads, for the docs test.
DOCUMENTED_VARIABLES = (
    "DATABASE_URL",
    "WIJKGRAM_DATA_DIR",
    "WIJKGRAM_PG_BIN",
    "WIJKGRAM_DB_NAME",
    "WIJKGRAM_DB_POOL_SIZE",
    "MEILI_URL",
    "MEILI_MASTER_KEY",
    "MEILI_INDEX",
    "MEILI_TIMEOUT_S",
    "WIJKGRAM_SHARED_DATA",
    "WIJKGRAM_HOST",
    "WIJKGRAM_PORT",
    "WIJKGRAM_DEBUG",
    "WIJKGRAM_STALE_AFTER_MONTHS",
    "WIJKGRAM_COOKIE_SECURE",
    "WIJKGRAM_SECRET",
    "WIJKGRAM_UPLOAD_DIR",
    "WIJKGRAM_GEOCODER",
    "WIJKGRAM_PDOK_URL",
    "WIJKGRAM_PDOK_TIMEOUT_S",
    "WIJKGRAM_ROUTING_MAX_SNAP_M",
    "WIJKGRAM_IMPORT_MAX_ROWS",
    "WIJKGRAM_IMPORT_MAX_XLSX_BYTES",
    "WIJKGRAM_IMPORT_MAX_REJECTED",
    "WIJKGRAM_FORWARDED_ALLOW_IPS",
    "WIJKGRAM_API_DOCS",
    "WIJKGRAM_TOKEN_DAYS",
    "WIJKGRAM_TILE_URL",
)
