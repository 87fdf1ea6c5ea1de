"""Alembic environment of the findings registry.

Run in code by recon.registry.store.migrate(), which passes an open
connection (already inside a locked transaction) as
config.attributes["connection"]; no alembic.ini is needed."""
from __future__ import annotations

from alembic import context

from recon.registry.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("recon registry migrations run through recon.registry.store.migrate()")

context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
