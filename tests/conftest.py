"""Shared fixtures. PostgreSQL: tests marked `postgres` get a throwaway
database on the server (tests/throwaway_db.py), dropped after the session."""
from __future__ import annotations

import os
import uuid

import pytest
from hypothesis import settings

from throwaway_db import fresh_database

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


@pytest.fixture(scope="session")
def postgres_url():
    """URL of a fresh database `recon_test_<random>` on the PostgreSQL server."""
    with fresh_database("recon_test") as url:
        yield url.render_as_string(hide_password=False)


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
