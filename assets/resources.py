"""The run's settings as a Dagster resource: the same values `recon run`
takes on the command line (CONTRACT.md §1), so the UI and the CLI run the
same graph the same way."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Optional

from dagster import ConfigurableResource

from recon.settings import Settings


class ReconConfig(ConfigurableResource):
    """Where the drop is, where outputs go, the as-of date, the settings file
    and the registry URL. A county's subfolder is chosen by the partition."""

    data_dir: str
    out_dir: str
    as_of: Optional[str] = None
    config_file: Optional[str] = None
    db_url: Optional[str] = None

    def as_of_date(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of) if self.as_of else dt.date.today()

    def settings(self) -> Settings:
        return Settings.load(self.config_file)

    def data_path(self, county: str | None = None) -> Path:
        base = Path(self.data_dir)
        return base / county if county else base

    def out_path(self, county: str | None = None) -> Path:
        base = Path(self.out_dir)
        return base / county if county else base

    def database_url(self) -> str | None:
        return self.db_url or os.environ.get("RECON_DATABASE_URL") or None

    @classmethod
    def from_env(cls) -> "ReconConfig":
        """For `dagster dev`: RECON_DATA_DIR, RECON_OUT_DIR, RECON_AS_OF, RECON_CONFIG."""
        return cls(
            data_dir=os.environ.get("RECON_DATA_DIR", "demo_drop"),
            out_dir=os.environ.get("RECON_OUT_DIR", "out"),
            as_of=os.environ.get("RECON_AS_OF") or None,
            config_file=os.environ.get("RECON_CONFIG") or None,
        )
