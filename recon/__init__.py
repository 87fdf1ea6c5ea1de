"""recon: reconcile a county's ledgers, monitoring-system export and sector data."""
from recon import pandas_setup  # noqa: F401  (Arrow-backed strings everywhere; see that module)
