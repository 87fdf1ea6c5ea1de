"""The findings registry: every finding ever made, per county, and its
lifecycle new / open / reopened / resolved / suppressed (RULES.md §Lifecycle)."""
from recon.registry.lifecycle import OUTCOME_COLUMNS, fingerprints, issue_id, issue_ids
from recon.registry.store import Registry, RegistryUnavailable, RunOutcome, migrate, open_registry

__all__ = ["OUTCOME_COLUMNS", "Registry", "RegistryUnavailable", "RunOutcome", "fingerprints", "issue_id",
           "issue_ids", "migrate", "open_registry"]
