"""Shared fixtures. PostgreSQL: tests marked `postgres` get a throwaway
database on the server (RECON_TEST_POSTGRES_URL, default the local trust
server), dropped after the session; they skip when no server answers, unless
RECON_REQUIRE_POSTGRES=1, when they fail instead."""
from __future__ import annotations

import os
import uuid

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# Property tests draw the same examples on every run (a red CI is a reproducible one); set
# HYPOTHESIS_PROFILE=explore locally to search afresh.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

@pytest.fixture(scope="session", autouse=True)
def dagster_home(tmp_path_factory):
    """Every `recon run` of the suite records its runs (pipelines/instance.py)
    into a Dagster instance of the test session, never into the user's
    DAGSTER_HOME or the repository; tests of the instance itself set their own."""
    home = tmp_path_factory.mktemp("dagster_home")
    before = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    yield home
    if before is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = before


SERVER_URL = os.environ.get("RECON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def postgres_url():
    """URL of a fresh database `recon_test_<random>` on the PostgreSQL server."""
    import psycopg
    from psycopg import sql

    server = make_url(SERVER_URL)
    name = f"recon_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:  # no server: skip, or fail when PostgreSQL is required
        admin.dispose()
        reason = f"PostgreSQL not reachable at {server.render_as_string(hide_password=True)}: {type(exc).__name__}"
        if os.environ.get("RECON_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " (RECON_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    with admin.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert isinstance(raw, psycopg.Connection)
        raw.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.connection.dbapi_connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def registry_url(request, tmp_path):
    """A registry URL per backend: SQLite in tmp_path, or the session's PostgreSQL
    database (tests there keep apart by using their own county, see `county`)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def county():
    """A county name of its own per test, so tests sharing one database never meet."""
    return f"测试县{uuid.uuid4().hex[:6]}"
