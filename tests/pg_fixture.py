"""A real PostgreSQL server for the store tests, started by the tests themselves.

`initdb` + `pg_ctl` into a temporary folder, listening on a free port on 127.0.0.1 only, with
fsync off (test data is thrown away). The binaries are looked up on PATH, then in
/usr/lib/postgresql/<version>/bin (Debian's `postgresql` package puts them there). When they
are absent the PostgreSQL tests are skipped, unless the environment variable CI is set: then
they fail, so CI cannot pass without having tested PostgreSQL.

PostgreSQL refuses to run as root; when the tests run as root the server runs as `nobody`.

Use it from a test module:

    from pg_fixture import pg_server, pg_url  # noqa: F401  (fixtures)
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest


def find_pg_bin() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    cands = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]) if
                   Path(p).parts[-3].isdigit() else 0)
    return Path(cands[-1]).parent if cands else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="salescoach-pg-"))
        self.port = _free_port()
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("nobody")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.prefix = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups"] \
                if shutil.which("setpriv") else ["runuser", "-u", "nobody", "--"]

    def _run(self, *args: str, timeout: int = 120) -> None:
        cmd = self.prefix + [str(self.bindir / args[0]), *args[1:]]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.dir,
                           env={**os.environ, "LC_ALL": "C"})
        if r.returncode != 0:
            log = (self.dir / "server.log")
            extra = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:1])} failed ({r.returncode}): {r.stderr[-2000:]}\n{extra}")

    def start(self) -> None:
        data = self.dir / "data"
        self._run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
        opts = f"-h 127.0.0.1 -p {self.port} -k {self.dir} -F -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(data), "-l", str(self.dir / "server.log"), "-o", opts, "-w", "-t", "60", "start")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop", timeout=60)
        except Exception:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, db: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"


@pytest.fixture(scope="session")
def pg_server():
    bindir = find_pg_bin()
    if bindir is None:
        msg = "PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's `postgresql` package"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    srv = PgServer(bindir)
    try:
        srv.start()
    except Exception as e:
        srv.stop()
        if os.environ.get("CI"):
            pytest.fail(f"could not start PostgreSQL: {e}")
        pytest.skip(f"could not start PostgreSQL: {e}")
    yield srv
    srv.stop()


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty database on the test server for one test."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(f"host=127.0.0.1 port={pg_server.port} user=postgres dbname=postgres",
                         autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.url(name)
    with psycopg.connect(f"host=127.0.0.1 port={pg_server.port} user=postgres dbname=postgres",
                         autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The same test on a SQLite file and on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")
