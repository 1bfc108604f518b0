"""The embedded private PostgreSQL cluster used when no DATABASE_URL is set.

It lives in `<data_dir>/pgdata`, listens only on a Unix socket inside the
data folder (no TCP port, so nothing else on the machine can reach it), and
trusts that socket. initdb refuses to run as root, so as root the server runs
as an unprivileged system user (`postgres` from the Debian packages, or a
`wijkgram` user created on demand).
"""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from directory.errors import SetupError

SUPERUSER = "wijkgram"
INSTALL_HINT = (
    "apt-get install postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting "
    "(or run ./scripts/setup.sh, which does it for you)"
)
# Unix socket paths are limited to 107 bytes; leave room for ".s.PGSQL.5432".
_MAX_SOCKET_DIR = 90


@dataclass(frozen=True)
class ClusterStatus:
    """What `wijkgram db status` reports."""

    initialised: bool
    running: bool
    data_dir: Path
    socket_dir: Path
    pg_bin: Path | None


def find_pg_bin(explicit: str = "") -> Path:
    """The directory holding pg_ctl and initdb; prefers PostgreSQL 15."""
    if explicit:
        if (Path(explicit) / "pg_ctl").is_file():
            return Path(explicit)
        raise SetupError(
            f"WIJKGRAM_PG_BIN={explicit} holds no pg_ctl. Point it at PostgreSQL's bin folder "
            f"or unset it. To install PostgreSQL: {INSTALL_HINT}"
        )
    candidates = sorted((str(p) for p in Path("/usr/lib/postgresql").glob("*/bin")), reverse=True)
    candidates.sort(key=lambda p: "/15/" not in p)
    for candidate in candidates:
        if candidate and (Path(candidate) / "pg_ctl").is_file():
            return Path(candidate)
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise SetupError(f"PostgreSQL server binaries (pg_ctl, initdb) not found. Install: {INSTALL_HINT}")


def check_postgis(pg_bin: Path) -> None:
    """Fail with an install hint when the PostGIS extension is not installed."""
    version = pg_bin.parent.name
    share = Path(f"/usr/share/postgresql/{version}/extension")
    pg_config = pg_bin / "pg_config"
    if pg_config.is_file():
        out = subprocess.run([str(pg_config), "--sharedir"], capture_output=True, text=True)
        if out.returncode == 0:
            share = Path(out.stdout.strip()) / "extension"
    if not (share / "postgis.control").is_file():
        raise SetupError(
            f"PostGIS is not installed for PostgreSQL {version} ({share}/postgis.control "
            f"is missing). Install: apt-get install postgresql-{version}-postgis-3"
        )


class EmbeddedCluster:
    """Start, stop and inspect the private cluster in a data folder."""

    def __init__(self, data_dir: Path, pg_bin: str = "", db_name: str = "wijkgram") -> None:
        self.root = data_dir.resolve()
        self.pgdata = self.root / "pgdata"
        self.db_name = db_name
        self._pg_bin_hint = pg_bin

    # -- paths ---------------------------------------------------------------------------

    @property
    def socket_dir(self) -> Path:
        """Where the server's Unix socket lives (short enough for the kernel's limit)."""
        preferred = self.root / "run"
        if len(str(preferred)) <= _MAX_SOCKET_DIR:
            return preferred
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"wijkgram-{digest}"

    @property
    def log_file(self) -> Path:
        return self.root / "postgresql.log"

    def url(self, db_name: str | None = None) -> str:
        """SQLAlchemy URL for a database in this cluster, over the private socket."""
        return f"postgresql+psycopg://{SUPERUSER}@/{db_name or self.db_name}?host={self.socket_dir}"

    # -- running as an unprivileged user -------------------------------------------------

    def _server_user(self) -> str | None:
        """The user the server runs as; None means the current (non-root) user."""
        if os.geteuid() != 0:
            return None
        for name in ("postgres", "wijkgram"):
            try:
                pwd.getpwnam(name)
                return name
            except KeyError:
                continue
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "wijkgram"],
            check=True,
        )
        return "wijkgram"

    def _run(self, args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        user = self._server_user()
        kwargs: dict[str, object] = {}
        if user is not None:
            entry = pwd.getpwnam(user)
            kwargs = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        result = subprocess.run(  # type: ignore[call-overload]
            args, capture_output=True, text=True, cwd="/", **kwargs
        )
        if check and result.returncode != 0:
            raise SetupError(
                f"{Path(args[0]).name} failed (exit {result.returncode}): "
                f"{(result.stderr or result.stdout).strip()[-2000:]}"
            )
        return result  # type: ignore[no-any-return]

    def _own(self, path: Path) -> None:
        """Give a folder to the server user so the server may write there."""
        user = self._server_user()
        path.mkdir(parents=True, exist_ok=True)
        if user is None:
            return
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, grp.getgrgid(entry.pw_gid).gr_gid)
        # The server user must be able to walk down to the data folder.
        for parent in path.parents:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                parent.chmod(mode | 0o001)

    # -- lifecycle -----------------------------------------------------------------------

    def pg_bin(self) -> Path:
        return find_pg_bin(self._pg_bin_hint)

    def initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").is_file()

    def running(self) -> bool:
        if not self.initialised():
            return False
        result = self._run([str(self.pg_bin() / "pg_ctl"), "status", "-D", str(self.pgdata)], check=False)
        return result.returncode == 0

    def init(self) -> bool:
        """Create the cluster if there is none; True when it was created now."""
        pg_bin = self.pg_bin()
        check_postgis(pg_bin)
        if self.initialised():
            return False
        self.root.mkdir(parents=True, exist_ok=True)
        self._own(self.pgdata)
        self.pgdata.chmod(0o700)
        self._run(
            [
                str(pg_bin / "initdb"),
                "-D",
                str(self.pgdata),
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C.UTF-8",
            ]
        )
        settings = (
            "\n# wijkgram embedded cluster: private socket only\n"
            "listen_addresses = ''\n"
            f"unix_socket_directories = '{self.socket_dir}'\n"
            "shared_buffers = '256MB'\n"
            "max_connections = 200\n"
            "fsync = on\n"
            "jit = off\n"
        )
        conf = self.pgdata / "postgresql.conf"
        with conf.open("a", encoding="utf-8") as handle:
            handle.write(settings)
        return True

    def start(self) -> bool:
        """Start the server (creating the cluster first); True when it was started now."""
        self.init()
        if self.running():
            return False
        self._own(self.socket_dir)
        self._own_file(self.log_file)
        self._run(
            [
                str(self.pg_bin() / "pg_ctl"),
                "start",
                "-D",
                str(self.pgdata),
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                "60",
                "-o",
                f"-k {self.socket_dir}",
            ]
        )
        self._ensure_database(self.db_name)
        return True

    def stop(self) -> bool:
        """Stop the server; True when it was running."""
        if not self.running():
            return False
        self._run([str(self.pg_bin() / "pg_ctl"), "stop", "-D", str(self.pgdata), "-m", "fast", "-w"])
        return True

    def status(self) -> ClusterStatus:
        try:
            pg_bin: Path | None = self.pg_bin()
        except SetupError:
            pg_bin = None
        return ClusterStatus(
            initialised=self.initialised(),
            running=pg_bin is not None and self.running(),
            data_dir=self.pgdata,
            socket_dir=self.socket_dir,
            pg_bin=pg_bin,
        )

    def _own_file(self, path: Path) -> None:
        path.touch(exist_ok=True)
        user = self._server_user()
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _psql(self, sql: str, db: str = "postgres") -> str:
        result = self._run(
            [
                str(self.pg_bin() / "psql"),
                "-h",
                str(self.socket_dir),
                "-U",
                SUPERUSER,
                "-d",
                db,
                "-tAc",
                sql,
            ]
        )
        return result.stdout.strip()

    def _ensure_database(self, name: str) -> None:
        # Wait briefly: pg_ctl -w returns once the server accepts connections,
        # but a slow machine may still be finishing recovery.
        for _ in range(50):
            try:
                exists = self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
                break
            except SetupError:
                time.sleep(0.2)
        else:
            raise SetupError(f"the embedded PostgreSQL did not accept connections; see {self.log_file}")
        if exists != "1":
            self._psql(f'CREATE DATABASE "{name}"')

    def create_database(self, name: str, *, template: str | None = None) -> None:
        """Create a database (tests use one per session), dropping an old one of that name."""
        self._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        suffix = f' TEMPLATE "{template}"' if template else ""
        self._psql(f'CREATE DATABASE "{name}"{suffix}')
