"""The users' docs (docs/) match the code: the generated pages are what
`python -m pipelines.docs` makes now, and the hand-written ones link only to
pages that exist and name every folder the reader knows."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from checks.rules.base import GROUPS
from checks.rules.catalog import catalog_rules, catalog_table
from pipelines.docs import REGENERATE, generated_pages, main, stale_pages
from recon.markdown import markdown_table
from recon.settings import Settings
from recon.sources import DATA_SOURCES, SOURCES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GENERATED = generated_pages()


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_page_is_up_to_date(name):
    committed = (DOCS / name).read_text(encoding="utf-8") if (DOCS / name).is_file() else ""
    assert committed == GENERATED[name], f"docs/{name} is stale: run `.venv/bin/{REGENERATE}` and commit it"


def test_check_mode_names_a_stale_page(tmp_path, capsys):
    for name, text in GENERATED.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert main(["--check", "--docs", str(tmp_path)]) == 0
    (tmp_path / "rules.md").write_text(GENERATED["rules.md"] + "edited by hand\n", encoding="utf-8")
    assert stale_pages(tmp_path) == ["rules.md"]
    assert main(["--check", "--docs", str(tmp_path)]) == 1
    assert f"docs/rules.md is stale: run `{REGENERATE}`" in capsys.readouterr().err


def test_the_rules_page_holds_the_catalog_table_and_a_section_per_rule():
    page = GENERATED["rules.md"]
    assert markdown_table(catalog_table(Settings())) in page     # what `recon rules --format markdown` prints
    for rule in catalog_rules():
        section = page.split(f"\n### {rule.code} {rule.title}\n", 1)[1].split("\n### ", 1)[0]
        assert rule.meaning in section and rule.action in section, rule.code
    for group in {rule.group for rule in catalog_rules()}:
        assert f"\n## {GROUPS[group].title}\n" in page


def test_every_setting_is_explained_where_it_is_defined():
    """A setting's description (recon/settings.py) is its one documentation:
    the settings table of docs/rules.md and the JSON Schema are made from it."""
    page = GENERATED["rules.md"]
    for name, field in Settings.model_fields.items():
        assert field.description and "\n" not in field.description, name
        if name in Settings.setting_names():
            assert f"| `{name}` |" in page and field.description in page, name


def test_the_columns_page_lists_every_accepted_name():
    page = GENERATED["columns.md"]
    for source, declared in SOURCES.items():
        assert f"## {source}/ — {declared.title}" in page
        for canonical, column in declared.columns.items():
            for alias in column.names:
                assert alias in page, f"{source}: {canonical} accepts {alias}, not on docs/columns.md"
            if column.note:
                assert column.note in page


HAND_WRITTEN = ["input.md", "outputs.md", "internals.md", "operations.md"]


@pytest.mark.parametrize("path", [ROOT / "README.md"] + [DOCS / name for name in HAND_WRITTEN] +
                         [DOCS / name for name in GENERATED], ids=lambda path: path.name)
def test_links_point_at_files_of_the_project(path):
    """Users who clone the project have only the project: no link may leave it (../shared/ did)."""
    text = path.read_text(encoding="utf-8")
    assert "../shared" not in text
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if not re.match(r"https?://", target):
            assert (path.parent / target).exists(), f"{path.name} links to {target}, which does not exist"


def test_the_input_page_names_every_source_folder():
    text = (DOCS / "input.md").read_text(encoding="utf-8")
    for folder in [*DATA_SOURCES, "feedback", "exemptions"]:
        assert f"{folder}/" in text, folder
