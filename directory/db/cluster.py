"""The embedded private PostgreSQL cluster used when no DATABASE_URL is set.

It lives in `<data_dir>/pgdata` and listens only on a Unix socket (no TCP
port). Two locks keep other local users out: the socket's folder and the
socket itself are 0700 (only the server's own user, and root, may open them),
and every connection needs the superuser's password (scram-sha-256). The
password is generated when the cluster is made and kept in
`<data_dir>/postgres.pgpass`, mode 0600, owned by whoever runs wijkgram; the
URL names that file (libpq's `passfile`), so the password itself is never in a
URL, a command line or a log. initdb refuses to run as root, so as root the
server runs as an unprivileged system user (`postgres` from the Debian
packages, or a `wijkgram` user created on demand); root still connects
through the 0700 folder, and the password is what a login needs.

Clusters made by older versions trusted the socket (`pg_hba` "trust"): the
next start gives the superuser a password and switches them over, data kept.
"""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import secrets
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
#: pg_hba.conf of the cluster: local socket only, every login by password.
HBA_CONF = (
    "# wijkgram embedded cluster: Unix socket only, password (scram-sha-256) for every login.\n"
    "# TYPE  DATABASE  USER  METHOD\n"
    "local   all       all   scram-sha-256\n"
)
#: Appended to postgresql.conf; the socket is reachable by the server's own user only.
SERVER_CONF = "unix_socket_permissions = 0700\npassword_encryption = 'scram-sha-256'\n"


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

    @property
    def passfile(self) -> Path:
        """The superuser's password as a libpq password file (0600, owned by wijkgram's user)."""
        return self.root / "postgres.pgpass"

    def url(self, db_name: str | None = None) -> str:
        """SQLAlchemy URL for a database in this cluster, over the private socket.

        The password stays in `passfile` (libpq reads it), so the URL can be shown safely.
        """
        return (
            f"postgresql+psycopg://{SUPERUSER}@/{db_name or self.db_name}"
            f"?host={self.socket_dir}&passfile={self.passfile}"
        )

    def password(self) -> str:
        """The superuser's password, made (and written to `passfile`) the first time it is asked."""
        if self.passfile.is_file():
            line = self.passfile.read_text(encoding="utf-8").strip().splitlines()[-1]
            return line.split(":", 4)[4]
        self.root.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(32)  # [A-Za-z0-9_-]: nothing to escape in a passfile
        # Written under a temporary name with 0600 from the start, then renamed: the file is
        # never readable by others, and a crash leaves no half-written password file.
        tmp = self.passfile.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"*:*:*:{SUPERUSER}:{password}\n")
        tmp.replace(self.passfile)
        return password

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

    def _run(
        self,
        args: list[str],
        *,
        check: bool = True,
        env: dict[str, str] | None = None,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        user = self._server_user()
        kwargs: dict[str, object] = {}
        if user is not None:
            entry = pwd.getpwnam(user)
            kwargs = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        result = subprocess.run(  # type: ignore[call-overload]
            args,
            capture_output=True,
            text=True,
            cwd="/",
            env={**os.environ, **(env or {})},
            input=input,
            **kwargs,
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
        # initdb reads the password from a file of the server user's; it lives inside the new
        # (0700) data folder's parent only for the moment initdb runs.
        pwfile = self.root / ".initdb-password"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.password() + "\n")
        self._own_file(pwfile)
        try:
            self._run(
                [
                    str(pg_bin / "initdb"),
                    "-D",
                    str(self.pgdata),
                    "--username",
                    SUPERUSER,
                    "--pwfile",
                    str(pwfile),
                    "--auth-local",
                    "scram-sha-256",
                    "--auth-host",
                    "reject",
                    "--encoding",
                    "UTF8",
                    "--locale",
                    "C.UTF-8",
                ]
            )
        finally:
            pwfile.unlink(missing_ok=True)
        settings = (
            "\n# wijkgram embedded cluster: private socket only\n"
            "listen_addresses = ''\n"
            f"unix_socket_directories = '{self.socket_dir}'\n"
            "shared_buffers = '256MB'\n"
            "max_connections = 200\n"
            "fsync = on\n"
            "jit = off\n" + SERVER_CONF
        )
        conf = self.pgdata / "postgresql.conf"
        with conf.open("a", encoding="utf-8") as handle:
            handle.write(settings)
        self._write_hba()
        return True

    # -- locking the cluster down (new clusters, and old ones that trusted the socket) ----

    def _write_hba(self) -> None:
        """Replace pg_hba.conf with the password-only rules, keeping its owner and mode."""
        hba = self.pgdata / "pg_hba.conf"
        stat = hba.stat()
        tmp = hba.with_name("pg_hba.conf.wijkgram")
        tmp.write_text(HBA_CONF, encoding="utf-8")
        os.chown(tmp, stat.st_uid, stat.st_gid)
        tmp.chmod(0o600)
        tmp.replace(hba)

    def _trusts_socket(self) -> bool:
        """True for a cluster made by an older wijkgram: pg_hba lets any local user in."""
        hba = self.pgdata / "pg_hba.conf"
        return any(
            line.split()[-1] == "trust"
            for line in hba.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        )

    def _lock_down_conf(self) -> None:
        """Add the socket permission setting to an older cluster's postgresql.conf (next start)."""
        conf = self.pgdata / "postgresql.conf"
        if "unix_socket_permissions = 0700" not in conf.read_text(encoding="utf-8"):
            with conf.open("a", encoding="utf-8") as handle:
                handle.write("\n# wijkgram: socket for the server's user only\n" + SERVER_CONF)

    def _upgrade_trust(self) -> None:
        """Give the superuser a password and stop trusting the socket (server running, data kept).

        Safe to repeat after a crash at any step: the password file is written first and
        reused, and pg_hba only changes once the password is set.
        """
        password = self.password()
        # The server still trusts the socket here, so this needs no password yet.
        self._psql(f"ALTER ROLE {SUPERUSER} PASSWORD '{password}'")
        self._write_hba()
        self._psql("SELECT pg_reload_conf()")

    def start(self) -> bool:
        """Start the server (creating the cluster first); True when it was started now."""
        self.init()
        trusted = self._trusts_socket()
        if trusted:
            self._lock_down_conf()
        if self.running():
            self._private_socket_dir()
            if trusted:
                self._upgrade_trust()
            # Another WIJKGRAM_DB_NAME may point at a database this running cluster does not hold yet.
            self._ensure_database(self.db_name)
            return False
        self._private_socket_dir()
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
        if trusted:
            self._wait_for_server()
            self._upgrade_trust()
        self._ensure_database(self.db_name)
        return True

    def _private_socket_dir(self) -> None:
        """The socket's folder, owned by the server's user and closed to everyone else."""
        self._own(self.socket_dir)
        self.socket_dir.chmod(0o700)

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
        # Run as the server's user, who cannot read the 0600 password file: the password goes
        # in this process's environment, which only that user and root can read.
        result = self._run(
            [
                str(self.pg_bin() / "psql"),
                "-h",
                str(self.socket_dir),
                "-U",
                SUPERUSER,
                "-d",
                db,
                "-X",
                "-tA",
                "-v",
                "ON_ERROR_STOP=1",
            ],
            env={"PGPASSWORD": self.password()},
            # On stdin, not the command line: `ps` shows every user a command line, and an
            # ALTER ROLE ... PASSWORD must not be seen.
            input=sql,
        )
        return result.stdout.strip()

    def _wait_for_server(self) -> None:
        # pg_ctl -w returns once the server accepts connections, but a slow machine may
        # still be finishing recovery.
        for _ in range(50):
            try:
                self._psql("SELECT 1")
                return
            except SetupError:
                time.sleep(0.2)
        raise SetupError(
            f"the embedded PostgreSQL did not accept connections; see {self.log_file}. If "
            f"{self.passfile} was deleted, the superuser's password is lost: restore the file, "
            f"or set 'trust' in {self.pgdata / 'pg_hba.conf'} once and start again (a new "
            "password is then made)."
        )

    def _ensure_database(self, name: str) -> None:
        self._wait_for_server()
        exists = self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
        if exists != "1":
            self._psql(f'CREATE DATABASE "{name}"')

    def create_database(self, name: str, *, template: str | None = None) -> None:
        """Create a database (tests use one per session), dropping an old one of that name."""
        self._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        suffix = f' TEMPLATE "{template}"' if template else ""
        self._psql(f'CREATE DATABASE "{name}"{suffix}')
