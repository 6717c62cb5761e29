"""Real processes for the fault tests: a project database of its own (a SQLite
file under a temporary WANJIA_VAR_DIR, or a PostgreSQL database named
``<DATABASE_URL name>_faults_<pid>``), ``manage.py run_huey`` workers to kill, and a
throwaway ``redis-server`` on port 6390 (never the machine's 6379).

Everything the project does runs in ``manage.py shell`` subprocesses with that
environment; the test reads the outcome with plain SQL."""

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(ROOT / "manage.py")]
REDIS_PORT = 6390


class Project:
    """One isolated installation: its env, its database, its workers."""

    def __init__(self, var_dir: Path, *, redis_url: str = "", silent_seconds: int = 4):
        self.var_dir = var_dir
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "PYTEST_CURRENT_TEST")
        }
        self.env.update(
            WANJIA_VAR_DIR=str(var_dir),
            WANJIA_JOB_SILENT_SECONDS=str(silent_seconds),
            HUEY_IMMEDIATE="0",
            PYTHONUNBUFFERED="1",
        )
        base = os.environ.get("DATABASE_URL", "")
        if base:
            parts = urlparse(base)
            self.db_name = f"{parts.path.lstrip('/') or 'wanjia'}_faults_{os.getpid()}"
            self.env["DATABASE_URL"] = urlunparse(parts._replace(path="/" + self.db_name))
            self._admin_url = urlunparse(parts._replace(path="/postgres"))
            self._recreate_pg()
        else:
            self.env.pop("DATABASE_URL", None)
            self.db_name = ""
        if redis_url:
            self.env["REDIS_URL"] = redis_url
            self.env["HUEY_NAME"] = f"wanjia-faults-{os.getpid()}"
        self.workers: list[subprocess.Popen] = []
        self.manage("migrate", "--noinput", "-v", "0")

    # --- the database ------------------------------------------------------------

    def _recreate_pg(self):
        import psycopg

        with psycopg.connect(self._admin_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [self.db_name],
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{self.db_name}"')
            admin.execute(f'CREATE DATABASE "{self.db_name}"')

    def sql(self, query: str, params=()) -> list[tuple]:
        if self.db_name:
            import psycopg

            with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as conn:
                cursor = conn.execute(query.replace("?", "%s"), params)
                # an UPDATE has no rows to fetch (psycopg refuses, sqlite3 gives [])
                return cursor.fetchall() if cursor.description else []
        with sqlite3.connect(self.var_dir / "wanjia.sqlite3", timeout=20) as conn:
            return conn.execute(query, params).fetchall()

    def one(self, query: str, params=()):
        return self.sql(query, params)[0][0]

    # --- the project's code ------------------------------------------------------

    def manage(self, *args, timeout=300) -> str:
        done = subprocess.run(
            [*MANAGE, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def run(self, code: str) -> dict:
        """Run ``code`` in the project; it sets ``out`` (a dict), printed as JSON."""
        script = f"import json\nout = {{}}\n{code}\nprint('OUT=' + json.dumps(out))"
        stdout = self.manage("shell", "-c", script)
        line = next(x for x in stdout.splitlines() if x.startswith("OUT="))
        return json.loads(line[4:])

    def start_worker(self) -> subprocess.Popen:
        log = (self.var_dir / f"worker{len(self.workers)}.log").open("w")
        proc = subprocess.Popen(
            [*MANAGE, "run_huey", "--workers", "1"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(proc)
        return proc

    def stop_workers(self):
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    def wait_for(self, query: str, params, expected, *, timeout=90) -> float:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            try:
                if self.one(query, params) == expected:
                    return time.monotonic() - start
            except (sqlite3.OperationalError, IndexError):
                pass
            time.sleep(0.3)
        raise AssertionError(f"{query} {params} never became {expected!r}")

    def close(self):
        self.stop_workers()
        if self.db_name:
            import psycopg

            with psycopg.connect(self._admin_url, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    [self.db_name],
                )
                admin.execute(f'DROP DATABASE IF EXISTS "{self.db_name}"')


WORLD = """
from wanjia.estates.testing import make_world
from wanjia.delivery.testing import post_courier, sorted_window
w = make_world()
kit = sorted_window(w)
courier = post_courier(w, kit, user=w.staff_a)
out.update(window=kit.window.pk, courier=courier.pk, manager=w.manager_a.pk)
"""

PLAN = """
from wanjia.core.models import User
from wanjia.delivery import services
from wanjia.delivery.models import Courier
from wanjia.market.models import OrderWindow
plan = services.plan_request(
    actor=User.objects.get(pk={manager}),
    window=OrderWindow.objects.get(pk={window}),
    couriers=[Courier.objects.get(pk={courier})],
    seconds={seconds},
)
out.update(plan=plan.pk, job=plan.job_id)
"""

SWEEP = """
from wanjia.core.jobs import jobs_sweep
out.update(jobs_sweep())
"""


class Redis:
    """A throwaway redis-server on REDIS_PORT, stopped and started at will."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.proc: subprocess.Popen | None = None
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server is not installed")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{REDIS_PORT}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", REDIS_PORT), 0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


SHOP = """
from wanjia.core.services import token_issue
from wanjia.estates.testing import make_world
from wanjia.market.testing import make_market, open_window
w = make_world()
kit = make_market(manager=w.manager_a, compound=w.a)
window = open_window(kit, manager=w.manager_a, stock=10_000)
offer = next(iter(kit.offers.values()))
out.update(
    window=window.pk,
    offer=offer.pk,
    households=list(w.a.households.order_by("id").values_list("id", flat=True)),
    token=token_issue(actor=w.manager_a),
)
"""


class Server:
    """gunicorn serving the project on a free loopback port."""

    def __init__(self, project: Project):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        log = (project.var_dir / "server.log").open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "wanjia.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--threads",
                "2",
            ],
            cwd=ROOT,
            env=project.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
