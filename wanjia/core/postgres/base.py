"""Django's PostgreSQL backend, with a pool that gets over a database restart
at once.

After a restart every idle connection in the pool is dead. The pool tests the
connection it lends (``CONN_HEALTH_CHECKS``), but on a dead one it discards
only that one and tries the next after a pause that doubles each time (1 s,
2 s, 4 s...): with 20 dead connections a request waited past the pool's 20 s
and failed, and the next ones too (``core/tests/test_settings.py``). Here the
first dead connection found makes the pool test all its idle connections at
once (``ConnectionPool.check``: dead ones are replaced), so the next attempt
gets a live one."""

from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper
from psycopg_pool import ConnectionPool


def check_or_sweep(conn) -> None:
    """``ConnectionPool.check_connection``; when it fails, test every idle
    connection of the connection's pool before raising (the pool then retries)."""
    try:
        ConnectionPool.check_connection(conn)
    except Exception:
        pool = getattr(conn, "_pool", None)  # set by the pool on the connection it lends
        if pool is not None:
            pool.check()
        raise


class DatabaseWrapper(PostgresWrapper):
    @property
    def pool(self):
        pool = super().pool
        # Django builds the pool with check=ConnectionPool.check_connection and
        # takes no other check from settings; swap it for the sweeping one.
        if pool is not None and getattr(pool, "_check", None) is ConnectionPool.check_connection:
            pool._check = check_or_sweep
        return pool
