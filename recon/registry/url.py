"""Which registry a run uses (--db, else $RECON_DATABASE_URL, else SQLite in
OUT). Free of SQLAlchemy: the CLI resolves it before anything is imported."""
from __future__ import annotations

import os

ENV_URL = "RECON_DATABASE_URL"


def database_url(url: str | None = None) -> str | None:
    """The registry URL a run uses: --db, else $RECON_DATABASE_URL, else None (SQLite in OUT)."""
    return url or os.environ.get(ENV_URL) or None
