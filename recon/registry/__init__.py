"""The findings registry: every finding ever made, per county, and its
lifecycle new / open / reopened / resolved / suppressed (RULES.md §Lifecycle).

The names below are loaded on first use: SQLAlchemy and Alembic take about
half a second to import, and `recon run` needs only `database_url` (recon/
registry/url.py) before the run reaches the registry."""
from __future__ import annotations

import importlib

_WHERE = {
    "OUTCOME_COLUMNS": "lifecycle", "fingerprints": "lifecycle", "issue_id": "lifecycle", "issue_ids": "lifecycle",
    "Registry": "store", "RegistryUnavailable": "store", "RunOutcome": "outcome", "migrate": "store",
    "open_registry": "store", "database_url": "url",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"recon.registry.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
