"""The match (recon/match.py) as assets: persons and households linked across
system and ledger — core_households, core_ledger_households, core_people and
core_links (the codes match adds to each system and ledger row) — and
core_county, the core tables and the match together: what every rule group
and output reads, one input instead of fifteen (each input is two Dagster
events and a lookup of its data version, per step)."""
# No `from __future__ import annotations` here: Dagster 1.13 compares the
# `context` annotation as an object and rejects it as a string.

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from dagster import AssetExecutionContext, AssetIn, AssetOut, Output, PartitionsDefinition, asset, multi_asset

from assets.metadata import counts_table, masked_preview
from assets.sources import CORE_INS
from checks.rules.base import RuleContext
from checks.rules.context import rule_context
from recon.match import Links, match
from recon.settings import Settings
from recon.tables import CoreTable

OUTS = {
    "core_households": "人户匹配：系统户 / one row per system household: place, 户主, member counts, household "
                       "fields from the head's row, monitored / 脱贫户 / registered",
    "core_ledger_households": "人户匹配：台账户 / one row per ledger household and the system household it maps to "
                              "(its head's ID, else most of its members)",
    "core_people": "人户匹配：人员 / one row per person (a valid 证件号码 in system or ledger), their first rows "
                   "and households on either side",
    "core_links": "人户匹配：行的编码 / per system and ledger row: household_id and the integer person and household "
                  "codes the rules join on",
}


@dataclass
class County:
    """One county's core tables (by source, absent ones with frame None) and its match."""
    tables: dict[str, CoreTable]
    households: pd.DataFrame
    ledger_households: pd.DataFrame
    people: pd.DataFrame
    links: Links

    def context(self, settings: Settings, as_of: dt.date, drop_name: str) -> RuleContext:
        """The rules' view of the county (checks/rules/context.py): the match put back on system and ledger."""
        matched = self.links.attach(self.tables["system"].frame, self.tables["ledger"].frame, self.households,
                                    self.ledger_households, self.people)
        return rule_context({source: table.frame for source, table in self.tables.items()}, matched, settings,
                            as_of, drop_name)


def build_match_assets(partitions_def: PartitionsDefinition | None = None):
    @multi_asset(name="match", group_name="matching", compute_kind="pandas", partitions_def=partitions_def,
                 ins={"core_system": AssetIn("core_system"), "core_ledger": AssetIn("core_ledger")},
                 outs={name: AssetOut(description=text) for name, text in OUTS.items()})
    def match_asset(context: AssetExecutionContext, core_system: CoreTable, core_ledger: CoreTable):
        matched = match(core_system.frame, core_ledger.frame)
        households, ledger_households = matched.households, matched.ledger_households
        yield Output(households, "core_households", metadata={
            "system_households": len(households),
            "registered_households": int(households["registered"].sum()),
            "monitored_households": int(households["monitored"].sum()),
            "poverty_households": int(households["poverty"].sum()),
            "preview": masked_preview(households)})
        yield Output(ledger_households, "core_ledger_households", metadata={
            "ledger_households": len(ledger_households),
            "ledger_households_unmatched": int(ledger_households["household_id"].isna().sum())})
        yield Output(matched.people, "core_people", metadata={
            "persons": len(matched.people),
            "in_system_and_ledger": int(((matched.people["system_row"] >= 0) & (matched.people["ledger_row"] >= 0)).sum())})
        yield Output(matched.links(), "core_links", metadata={"system_rows": len(matched.system),
                                                              "ledger_rows": len(matched.ledger)})

    @asset(name="core_county", group_name="matching", compute_kind="pandas", partitions_def=partitions_def,
           ins={**CORE_INS, **{name: AssetIn(name) for name in OUTS}},
           description="全县核心表 / the county's core tables and the match together: what every rule group and "
                       "output reads.")
    def county_asset(context: AssetExecutionContext, **inputs) -> County:
        tables = {name.removeprefix("core_"): inputs[name] for name in CORE_INS}
        county = County(tables, inputs["core_households"], inputs["core_ledger_households"], inputs["core_people"],
                        inputs["core_links"])
        rows = pd.DataFrame([(source, 0 if table.frame is None else len(table.frame))
                             for source, table in county.tables.items()], columns=["source", "rows"])
        context.add_output_metadata({"sources_present": int((rows["rows"] > 0).sum()),
                                     "rows_per_source": counts_table(rows)})
        return county

    return [match_asset, county_asset]
