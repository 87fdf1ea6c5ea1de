"""Markdown tables for the generated docs (docs/rules.md, docs/columns.md)
and `recon rules --format markdown`."""
from __future__ import annotations

import pandas as pd


def markdown_cell(value) -> str:
    """A value as one table cell: | escaped, line breaks as spaces, booleans
    spelled as in a config file (true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return text.replace("|", "\\|").replace("\r\n", " ").replace("\n", " ")


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table of a frame (header = its columns), ending in a newline."""
    lines = ["| " + " | ".join(markdown_cell(c) for c in frame.columns) + " |",
             "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(markdown_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines) + "\n"
