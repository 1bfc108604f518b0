"""Which database to talk to."""

from __future__ import annotations

from directory.db.cluster import EmbeddedCluster
from directory.settings import DatabaseSettings, get_settings


def embedded_cluster(settings: DatabaseSettings | None = None) -> EmbeddedCluster:
    """The private cluster configured by the settings (not started)."""
    settings = settings or get_settings().database
    return EmbeddedCluster(settings.data_dir, settings.pg_bin, settings.db_name)


def normalise_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def database_url(settings: DatabaseSettings | None = None) -> str:
    """DATABASE_URL when set, else the embedded cluster's socket URL."""
    settings = settings or get_settings().database
    if settings.url:
        return normalise_url(settings.url)
    return embedded_cluster(settings).url()
