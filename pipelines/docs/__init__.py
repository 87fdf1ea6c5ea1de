"""The user docs that are generated from the code, so they cannot drift:
docs/rules.md (the rule catalog, from the rule registry), docs/columns.md
(accepted column names and value spellings, from the source declarations) and
docs/config.schema.json (the config's JSON Schema, from recon/settings.py).

    python -m pipelines.docs            rewrite them
    python -m pipelines.docs --check    exit 1, naming the pages that are stale

tests/test_docs.py fails while a committed page differs from what this makes."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

DOCS = Path(__file__).resolve().parent.parent.parent / "docs"
REGENERATE = "python -m pipelines.docs"


def page_builders() -> dict[str, Callable[[], str]]:
    """Page file name → the function that writes it (imported here: the rules
    page loads the whole catalog)."""
    from pipelines.docs.columns_page import columns_page
    from pipelines.docs.rules_page import config_schema_page, rules_page
    return {"rules.md": rules_page, "columns.md": columns_page, "config.schema.json": config_schema_page}


def generated_pages() -> dict[str, str]:
    return {name: build() for name, build in page_builders().items()}


def stale_pages(folder: Path = DOCS) -> list[str]:
    """Names of the generated pages whose file in `folder` is missing or differs."""
    stale = []
    for name, text in generated_pages().items():
        path = Path(folder) / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale


def write_pages(folder: Path = DOCS) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generated_pages().items():
        path = folder / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=REGENERATE, description="regenerate docs/rules.md, docs/columns.md and docs/config.schema.json")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 when a page is stale")
    parser.add_argument("--docs", type=Path, default=DOCS, help=f"the docs folder (default {DOCS})")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_pages(args.docs)
        for name in stale:
            print(f"docs/{name} is stale: run `{REGENERATE}`", file=sys.stderr)
        return 1 if stale else 0
    for path in write_pages(args.docs):
        print(f"wrote {path}")
    return 0

