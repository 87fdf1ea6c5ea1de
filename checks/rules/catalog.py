"""The rule catalog as a table (CONTRACT.md §1 `recon rules`, docs/rules.md):
one row per rule as a config makes it — code, title, group, severity,
enabled, the sources and columns it needs, the settings it reads.

Built from the registry itself, so what users read cannot drift from what
runs. Free of Dagster: `recon rules` must start fast."""
from __future__ import annotations

import pandas as pd

from checks.rules.base import Rule
from checks.rules.run import load_catalog
from recon.labels import LIST_SHEETS
from recon.settings import Settings

CATALOG_COLUMNS = ["code", "title", "group", "severity", "enabled", "needs", "settings"]


def catalog_rules(settings: Settings | None = None) -> list[Rule]:
    """Every registered rule in catalog order: by group (run order), then in
    the order its module registers them; then the config's own checks."""
    return list(load_catalog(settings).values())


def catalog_table(settings: Settings) -> pd.DataFrame:
    """The catalog as `settings` makes it, CATALOG_COLUMNS, one row per rule
    (the county's own checks last, group county)."""
    rows = []
    for rule in catalog_rules(settings):
        enabled, severity = rule.switched(settings)
        rows.append({"code": rule.code, "title": rule.title, "group": rule.group, "severity": severity,
                     "enabled": enabled, "needs": needs_text(rule), "settings": settings_text(rule, settings)})
    return pd.DataFrame(rows, columns=CATALOG_COLUMNS)


def categories(settings: Settings | None = None) -> tuple[str, ...]:
    """The township-list sheets of the catalog's rules (and the config's
    checks): in RULES.md's order (recon.labels.LIST_SHEETS), any other after
    them in catalog order."""
    used = dict.fromkeys(rule.category for rule in catalog_rules(settings))
    return tuple(sorted(used, key=lambda sheet: LIST_SHEETS.index(sheet) if sheet in LIST_SHEETS else len(LIST_SHEETS)))


def rule_codes() -> frozenset[str]:
    """The codes a config's `rules:` may name (Settings.load(rule_codes=...))."""
    return frozenset(load_catalog())


def needs_text(rule: Rule) -> str:
    """`system: 户类型; medical: 参保状态` — a source alone when any of its
    files will do."""
    parts = [f"{source}: {'、'.join(columns)}" if columns else source for source, columns in rule.needs]
    return "; ".join(parts)


def settings_text(rule: Rule, settings: Settings) -> str:
    """`monitoring_threshold=7300` for each setting the rule reads, with the
    value this config gives it."""
    return "; ".join(f"{name}={setting_value(getattr(settings, name))}" for name in rule.settings)


def setting_value(value) -> str:
    """A setting as a config file would spell it: 7300 (not 7300.0), true,
    {2024: 7300, 2025: 8700}, {小学: [5, 15]}."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {setting_value(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(setting_value(item) for item in value) + "]"
    return str(value)
