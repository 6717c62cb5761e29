"""/healthz and /readyz: what a proxy asks before sending a machine traffic."""

import pytest
from django.db import connection

from wanjia.core import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_login_and_touches_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_checks_database_cache_and_queue(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "queue"}
    assert all(check["ok"] for check in body["checks"].values())
    assert isinstance(body["checks"]["queue"]["pending"], int)


def test_readyz_is_503_naming_the_check_that_failed(client, monkeypatch):
    def broken():
        raise ConnectionError("cache down")

    monkeypatch.setattr(
        health, "CHECKS", tuple((n, broken if n == "cache" else f) for n, f in health.CHECKS)
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"] == {
        "ok": False,
        "error": "ConnectionError: cache down",
        "ms": body["checks"]["cache"]["ms"],
    }
    assert body["checks"]["database"]["ok"] is True


def test_readyz_is_503_when_the_database_fails(client, monkeypatch):
    real = connection.cursor

    def failing_cursor(*args, **kwargs):
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(connection, "cursor", failing_cursor)
    try:
        response = client.get("/readyz")
    finally:
        monkeypatch.setattr(connection, "cursor", real)
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is False


def test_readyz_takes_only_get(client):
    assert client.post("/readyz").status_code == 405
