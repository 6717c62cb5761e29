"""Settings from the environment: typed helpers that fail loudly, DATABASE_URL
with Django's connection pool, and the production deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from wanjia.settings import database_from_url, env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "raw, expected",
    [("1", True), ("true", True), ("YES", True), (" on ", True), ("0", False), ("off", False)],
)
def test_env_bool_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X", raw)
    assert env_bool("X") is expected


def test_env_bool_unset_or_empty_is_the_default(monkeypatch):
    monkeypatch.delenv("X", raising=False)
    assert env_bool("X", True) is True
    monkeypatch.setenv("X", "")
    assert env_bool("X", True) is True


@pytest.mark.parametrize("raw", ["maybe", "2", "ture", "y e s"])
def test_env_bool_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv("X", raw)
    with pytest.raises(ImproperlyConfigured, match="X="):
        env_bool("X")


def test_env_int(monkeypatch):
    monkeypatch.setenv("N", "12")
    assert env_int("N", 3) == 12
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(ImproperlyConfigured, match="N="):
        env_int("N", 3)


def test_env_list(monkeypatch):
    monkeypatch.setenv("L", " a.example.org, ,b.example.org ")
    assert env_list("L", []) == ["a.example.org", "b.example.org"]


# -- DATABASE_URL ---------------------------------------------------------------------------


def test_no_url_is_sqlite_in_wal_mode():
    db = database_from_url("")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgresql_url_parses_every_part(monkeypatch):
    monkeypatch.delenv("DB_POOL", raising=False)
    db = database_from_url(
        "postgresql://wanjia:p%40ss%2Fword@db.internal:6432/wanjia_prod"
        "?sslmode=verify-full&connect_timeout=5"
    )
    assert db["ENGINE"] == "wanjia.core.postgres"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("wanjia_prod", "wanjia", "p@ss/word")
    assert (db["HOST"], db["PORT"]) == ("db.internal", "6432")
    assert db["OPTIONS"]["sslmode"] == "verify-full"
    assert db["OPTIONS"]["connect_timeout"] == "5"


def test_a_test_database_suffix_keeps_parallel_checkouts_apart(monkeypatch):
    monkeypatch.delenv("WANJIA_TEST_DB_SUFFIX", raising=False)
    assert database_from_url("postgres://u@h/d")["TEST"]["NAME"] is None  # Django's test_d
    monkeypatch.setenv("WANJIA_TEST_DB_SUFFIX", "cispeed")
    assert database_from_url("postgres://u@h/d")["TEST"]["NAME"] == "test_d_cispeed"


def test_postgresql_uses_djangos_connection_pool(monkeypatch):
    monkeypatch.delenv("DB_POOL", raising=False)
    monkeypatch.setenv("DB_POOL_MAX", "40")
    db = database_from_url("postgres://u@h/d")
    assert db["OPTIONS"]["pool"]["max_size"] == 40
    assert db["OPTIONS"]["pool"]["min_size"] >= 1
    # Django refuses persistent connections together with its pool.
    assert db["CONN_MAX_AGE"] == 0
    monkeypatch.setenv("DB_POOL", "0")
    assert "pool" not in database_from_url("postgres://u@h/d")["OPTIONS"]


def test_dead_connections_are_noticed_with_or_without_the_pool(monkeypatch):
    """Django hands ConnectionPool.check_connection to the pool when
    CONN_HEALTH_CHECKS is on, and tests a persistent connection without it."""
    monkeypatch.delenv("DB_POOL", raising=False)
    assert database_from_url("postgres://u@h/d")["CONN_HEALTH_CHECKS"] is True
    monkeypatch.setenv("DB_POOL", "0")
    assert database_from_url("postgres://u@h/d")["CONN_HEALTH_CHECKS"] is True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requests_succeed_right_after_every_backend_was_terminated(world):
    """A database restart (simulated: pg_terminate_backend on every connection
    of the test database) must not turn the next requests into 500s."""
    if connection.vendor != "postgresql":
        pytest.skip("runs with DATABASE_URL=postgresql://...")
    import psycopg
    from django.test import Client

    client = Client()
    client.force_login(world.manager_a)
    assert client.get("/console/").status_code == 200
    connection.close()  # back to the pool, as at the end of a request
    # a busy server's pool holds many idle connections, all dead after a
    # restart: the pool's own retry (one at a time, with doubling pauses)
    # outlasted its 20 s timeout with 10 of them
    idle = [connection.pool.getconn() for _ in range(10)]
    for conn in idle:
        connection.pool.putconn(conn)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
    assert killed >= 1
    codes = [client.get("/console/").status_code for _ in range(10)]
    assert codes == [200] * 10, codes


@pytest.mark.django_db
def test_the_live_postgresql_connection_is_pooled():
    if connection.vendor != "postgresql":
        pytest.skip("runs with DATABASE_URL=postgresql://...")
    from psycopg_pool import ConnectionPool

    assert isinstance(connection.pool, ConnectionPool)


@pytest.mark.parametrize(
    "url", ["mysql://u:p@h/d", "sqlite:///tmp/x.db", "http://h/d", "postgresql://h:port/d"]
)
def test_bad_database_urls_stop_the_start(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url(url)


# -- the deploy check, as CI runs it ---------------------------------------------------------


def manage_check(tmp_path, **env) -> subprocess.CompletedProcess:
    environ = {
        k: v
        for k, v in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests in this process
        if k
        not in (
            "SECRET_KEY",
            "WANJIA_HTTPS",
            "ALLOWED_HOSTS",
            "DEBUG",
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    environ.update(WANJIA_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "SECRET_KEY": "a-production-secret-that-is-long-and-random-4f9c2e7d1b8a6035e",
    "WANJIA_HTTPS": "1",
    "ALLOWED_HOSTS": "wanjia.example.org",
}


@pytest.mark.slow
def test_deploy_check_passes_with_the_production_variables(tmp_path):
    result = manage_check(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_deploy_check_fails_without_https(tmp_path):
    """The check above could not pass by accident: leave HTTPS off and it fails."""
    result = manage_check(tmp_path, **{**PRODUCTION, "WANJIA_HTTPS": "0"})
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stdout + result.stderr


def test_a_bad_boolean_stops_manage_py(tmp_path):
    result = manage_check(tmp_path, **{**PRODUCTION, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr
