"""Persons and their rows for the identity rules (checks/rules/identity.py):
recon.match's integer codes as arrays (`links`), the rows a finding names
with their places (`located`), the villages that sent a ledger, the persons
on both sides (`both`) and what an ID number encodes (`person_facts`).
Everything here selects by array position; only the rows that fire become text."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from checks.rules.base import RuleContext
from checks.rules.common import birth_dates, ledger_scope, member_rows, rows_at, shared
from recon.match import NONE, at, coalesce


@dataclass(frozen=True)
class Links:
    """One context's match as arrays (built once): person and household codes
    per row, the row positions each rule family looks at."""
    people: pd.DataFrame           # recon.match people table (row i = person code i)
    person: dict[str, np.ndarray]  # source → person code per row (NONE: invalid ID)
    registered: np.ndarray         # per system household code: 脱贫户/监测户
    member_rows: np.ndarray        # system positions: valid ID in a registered household
    ledger_rows: np.ndarray        # ledger positions of households in scope (common.ledger_scope)
    registered_person: np.ndarray  # per person: on a member row


def links(ctx: RuleContext) -> Links:
    return shared(ctx, "identity.links", _links, copy=False)


def _links(ctx: RuleContext) -> Links:
    system, ledger = ctx.source("system"), ctx.source("ledger")
    person = {"system": system["_person"].to_numpy(), "ledger": ledger["_person"].to_numpy()}
    registered = ctx.households["registered"].to_numpy(bool)
    members = member_rows(ctx)
    registered_person = np.zeros(len(ctx.people), dtype=bool)
    registered_person[person["system"][members]] = True
    ledger_rows = np.flatnonzero(ledger_scope(ctx))
    return Links(ctx.people, person, registered, members, ledger_rows, registered_person)


# The source columns identity rules read from located rows (ID01's suggestion
# included); the rest of a wide system frame is not carried through every filter.
LOCATED_COLUMNS = ("证件号码", "姓名", "_name_key", "_id_raw", "_id_valid", "_id_problem", "性别", "出生日期")


def located(ctx: RuleContext, source: str, positions: np.ndarray) -> pd.DataFrame:
    """The rows of system/ledger at `positions` with county/township/village in
    the system's spelling (via their household) where known, else their own;
    household_id for findings (the ledger's own 户编号 when the household is not
    in the system); id_number, name, file, row and the source's LOCATED_COLUMNS.
    Built for the rows asked only: rules ask for the rows that fire."""
    source_frame = ctx.source(source)
    used = [c for c in (*LOCATED_COLUMNS, "县", "乡镇", "行政村", "户编号", "household_id", "_household", "_file", "_row")
            if c in source_frame.columns]
    frame = rows_at(source_frame, positions, used)
    index = frame.index
    out = {c: frame[c] for c in LOCATED_COLUMNS if c in frame.columns}
    out.update({column: place_of(ctx, frame, column) for column in OWN_PLACE})
    out["household_id"] = frame["household_id"]
    if source == "ledger" and "户编号" in frame.columns:
        out["household_id"] = coalesce(frame["household_id"], frame["户编号"])
    out["id_number"] = frame["证件号码"]
    out["name"] = frame["姓名"] if "姓名" in frame.columns else pd.Series(pd.NA, index=index, dtype="string")
    out["file"], out["row"] = frame["_file"], frame["_row"]
    return pd.DataFrame(out, index=index)


# A located place column and the source's own column it falls back to.
OWN_PLACE = {"county": "县", "township": "乡镇", "village": "行政村"}


def place_of(ctx: RuleContext, frame: pd.DataFrame, column: str) -> pd.Series:
    """county/township/village of rows with `_household`: their system
    household's (the system's spelling), else the row's own."""
    values = ctx.households[column].astype("string").array
    theirs = (values.take(frame["_household"].to_numpy(), allow_fill=True) if len(values)
              else pd.array([pd.NA] * len(frame), dtype="string"))
    return coalesce(pd.Series(theirs, index=frame.index), own_values(frame, OWN_PLACE[column]))


def own_values(frame: pd.DataFrame, column: str) -> pd.Series:
    return (frame[column].astype("string") if column in frame.columns
            else pd.Series(pd.NA, index=frame.index, dtype="string"))


def located_in(ctx: RuleContext, source: str, places: pd.DataFrame) -> pd.DataFrame:
    """Rows whose located (township, village) is one of `places`: those two
    and the columns a suggestion reads (id_suggest.candidates)."""
    frame = ctx.source(source)
    household = frame["_household"].to_numpy()

    def could_be(column: str) -> np.ndarray:
        theirs = at(ctx.households[column].isin(places[column]).fillna(False).to_numpy(bool), household, False)
        return theirs | own_values(frame, OWN_PLACE[column]).isin(places[column]).fillna(False).to_numpy(bool)

    # Cheap superset first (each of the two values is the household's or the row's own), then the exact pair.
    maybe = np.flatnonzero(could_be("township") & could_be("village"))
    rows = rows_at(frame, maybe, [c for c in ("_household", "乡镇", "行政村", "_name_key", "姓名", "证件号码", "_id_valid")
                                  if c in frame.columns])
    located_place = pd.DataFrame({column: place_of(ctx, rows, column) for column in ("township", "village")})
    exact = pd.MultiIndex.from_frame(located_place).isin(pd.MultiIndex.from_frame(places[["township", "village"]]))
    read = [c for c in ("_name_key", "姓名", "证件号码", "_id_valid") if c in rows.columns]
    return pd.concat([located_place, rows[read]], axis=1)[exact]


def ledger_villages(ctx: RuleContext) -> pd.MultiIndex:
    """(township, village) pairs that have ledger rows: the ledger's own and
    those of the system households its rows map to (built once per context)."""
    return shared(ctx, "identity.ledger_villages", _ledger_villages)


def _ledger_villages(ctx: RuleContext) -> pd.MultiIndex:
    ledger = ctx.source("ledger")
    own = pd.DataFrame({"_household": ledger["_household"], "乡镇": own_values(ledger, "乡镇"),
                        "行政村": own_values(ledger, "行政村")})
    # A row's place depends only on (household, own township, own village): place each combination once.
    combos = own.drop_duplicates()
    pairs = [pd.DataFrame({column: place_of(ctx, combos, column) for column in ("township", "village")}),
             combos[["乡镇", "行政村"]].set_axis(["township", "village"], axis=1)]
    # An unknown place is "" on both sides: rows of unplaced households still count.
    return pd.MultiIndex.from_frame(pd.concat(pairs).astype("string").fillna("").drop_duplicates())


def in_villages(frame: pd.DataFrame, villages: pd.MultiIndex) -> pd.Series:
    places = frame[["township", "village"]].astype("string").fillna("")
    return pd.Series(pd.MultiIndex.from_frame(places).isin(villages), index=frame.index)


def both(ctx: RuleContext) -> pd.DataFrame:
    """Persons on a system row and a ledger row (valid IDs): system_row and
    ledger_row (their first rows), household and ledger_household (the system
    household codes each side puts them in), registered (on a member row)."""
    return shared(ctx, "identity.both", _both)


def _both(ctx: RuleContext) -> pd.DataFrame:
    people = links(ctx).people
    pairs = people[(people["system_row"] != NONE).to_numpy() & (people["ledger_row"] != NONE).to_numpy()]
    pairs = pairs.sort_values("system_row")  # findings in system row order
    return pairs.assign(registered=links(ctx).registered_person[pairs.index.to_numpy()])


def name_as_read(ctx: RuleContext, source: str, positions: np.ndarray) -> pd.api.extensions.ExtensionArray:
    frame = ctx.source(source)
    names = frame["_name_key"] if "_name_key" in frame.columns else frame["姓名"]
    return names.astype("string").take(positions).array


def person_facts(ctx: RuleContext) -> pd.DataFrame:
    """Per person code: male (bool) and the birth date (datetime64[D]) their ID encodes."""
    return shared(ctx, "identity.person_facts", _person_facts, copy=False)


def _person_facts(ctx: RuleContext) -> pd.DataFrame:
    ids = ctx.people["id_number"]
    # The 17th character of a valid ID is a digit, odd for men.
    sequence = pc.cast(pc.utf8_slice_codeunits(pa.array(ids.astype("string").array), 16, 17), pa.int64()).to_numpy()
    return pd.DataFrame({"male": sequence % 2 == 1, "birth": birth_dates(ids).to_numpy("datetime64[D]")})
