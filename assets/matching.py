"""The match (recon/match.py) as assets: persons and households linked across
system and ledger — core_households, core_ledger_households, core_people and
core_links (the codes match adds to each system and ledger row)."""
# No `from __future__ import annotations` here: Dagster 1.13 compares the
# `context` annotation as an object and rejects it as a string.

from dagster import AssetExecutionContext, AssetIn, AssetOut, Output, PartitionsDefinition, multi_asset

from assets.metadata import masked_preview
from recon.match import match
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

    return [match_asset]
