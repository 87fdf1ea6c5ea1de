"""Throwaway PostgreSQL databases for the tests: one way to make and drop
them (the registry's session database, a Dagster instance's, the Celery
tests' instance and registry). The server is RECON_TEST_POSTGRES_URL, default
the local trust server; without one, tests skip — unless
RECON_REQUIRE_POSTGRES=1, when they fail."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

SERVER_URL = os.environ.get("RECON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def require_server() -> None:
    """Skip (or fail, with RECON_REQUIRE_POSTGRES=1) when the server does not answer."""
    server = make_url(SERVER_URL)
    engine = create_engine(server)
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:
        reason = f"PostgreSQL not reachable at {server.render_as_string(hide_password=True)}: {type(exc).__name__}"
        if os.environ.get("RECON_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " (RECON_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    finally:
        engine.dispose()


@contextmanager
def fresh_database(prefix: str) -> Iterator[URL]:
    """A database of its own on the test server (`<prefix>_<random>`), dropped
    afterwards even with connections still open; its SQLAlchemy URL."""
    require_server()
    server = make_url(SERVER_URL)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
