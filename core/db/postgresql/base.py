"""Django's PostgreSQL backend whose connection health check costs no query while nothing is wrong.

With CONN_HEALTH_CHECKS, Django checks a kept connection at the start of each request that uses
the database by sending `SELECT 1`: a round trip before every request's first query. A fresh API
page needs one query of its own, so the check was half of its round trips, and on a loaded
machine each one is a chance to lose the core to another process.

Between requests an idle connection has nothing to read: PostgreSQL only writes to it when it
ends it (the server shut down or restarted, `pg_terminate_backend`, `idle_session_timeout`: a
FATAL error, then the socket is closed) or, rarely, for an asynchronous message (a NOTICE, a
changed parameter). So the check first asks the socket, without blocking, whether anything is
waiting: if not, the connection is as usable as `SELECT 1` would have found it; if so (or if the
socket is already gone), Django's own check runs and decides. The same shortcut is how Go's MySQL
driver checks a pooled connection (`connCheck`). A peer that vanished without closing the socket
(a network cut) is missed by both checks alike: `SELECT 1` would wait for the TCP timeout, and
here the request's first query fails and Django drops the connection at the end of the request.
"""

import select

import psycopg
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        if not _has_input(self.connection):
            return True
        return super().is_usable()


def _has_input(connection) -> bool:
    """Whether the server has written anything to this idle connection (or its socket is gone)."""
    try:
        poller = select.poll()
        poller.register(connection.pgconn.socket, select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError, AttributeError, psycopg.Error):
        # No socket left to ask (closed, or libpq has none: psycopg's "the connection is lost"):
        # Django's check decides.
        return True
