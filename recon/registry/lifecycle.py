"""The lifecycle of RULES.md §Lifecycle as frame operations, no database:
issue ids, evidence fingerprints, statuses against the previous run, and the
exemptions that suppress a finding. recon/registry/store.py feeds these with
what it reads and writes what they return."""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from recon.registry.models import REPORTED

TEXT_COLUMNS = ["rule", "severity", "source", "county", "township", "village", "household_id", "id_number",
                "name", "file", "field", "expected", "actual", "message", "category", "key"]
# Columns of RunOutcome.current/resolved, mismatches.csv order first (CONTRACT.md §4).
OUTCOME_COLUMNS = ["issue_id", "rule", "severity", "source", "county", "township", "village", "household_id",
                   "id_number", "name", "file", "row", "field", "expected", "actual", "message", "status",
                   "first_seen", "last_seen", "category", "key", "claimed_fixed"]
NOT_FIXED = "（整改未到位）"
from recon.labels import CLAIMED_FIXED, VERIFIED  # noqa: F401 (the registry reads them as lc.*)


def _sha16(values: pd.Series) -> pd.Series:
    """First 16 hex digits of sha1 of each text (hashed once per distinct value)."""
    digests = {text: hashlib.sha1(text.encode("utf-8")).hexdigest()[:16] for text in values.unique()}
    return values.map(digests).astype("string")


def issue_id(rule: str, key: str, county: str) -> str:
    """Stable id of a finding: sha1 of `county|rule|key`, first 16 hex digits."""
    return hashlib.sha1(f"{county}|{rule}|{key}".encode("utf-8")).hexdigest()[:16]


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="string")
    return frame[column].astype("string").fillna("")


def issue_ids(findings: pd.DataFrame, county: str) -> pd.Series:
    """issue_id() for every row of a findings frame (columns rule, key)."""
    text = county + "|" + _text(findings, "rule") + "|" + _text(findings, "key")
    return _sha16(text.astype(object))


def fingerprints(findings: pd.DataFrame) -> pd.Series:
    """The evidence a 核实无误 exemption was given for: `field|expected|actual`.
    A different fingerprint later means the key data changed."""
    text = _text(findings, "field") + "|" + _text(findings, "expected") + "|" + _text(findings, "actual")
    return _sha16(text.astype(object))


def display_hashes(findings: pd.DataFrame, columns: list[str]) -> pd.Series:
    """A hash of the display fields, to update only the stored rows that changed."""
    text = pd.Series("", index=findings.index, dtype="string")
    for column in columns:
        text = text + "\x1f" + _text(findings, column)
    return _sha16(text.astype(object))


def prepare(findings: pd.DataFrame, county: str) -> pd.DataFrame:
    """This run's findings with issue_id and fingerprint, one row per issue
    (rows with the same rule and key are the same finding: the first is kept)."""
    frame = findings.copy()
    for column in TEXT_COLUMNS:
        frame[column] = frame[column].astype("string") if column in frame.columns else pd.NA
        frame[column] = frame[column].astype("string")
    frame["row"] = pd.array(frame["row"] if "row" in frame.columns else [pd.NA] * len(frame), dtype="Int64")
    frame["issue_id"] = issue_ids(frame, county)
    frame["fingerprint"] = fingerprints(frame)
    return frame.drop_duplicates("issue_id").reset_index(drop=True)


def statuses(found: pd.DataFrame, suppressed: pd.Series, previous_open: set[str],
             ever_resolved: set[str]) -> pd.Series:
    """new / open / reopened / suppressed for this run's findings."""
    ids = found["issue_id"]
    picked = np.select(
        [suppressed.to_numpy(bool), ids.isin(previous_open).to_numpy(bool), ids.isin(ever_resolved).to_numpy(bool)],
        ["suppressed", "open", "reopened"], default="new")
    return pd.Series(picked, index=found.index, dtype="string")


def suppression(found: pd.DataFrame, feedback_exemptions: pd.DataFrame, register: pd.DataFrame) -> pd.Series:
    """The exemption reason for each finding it suppresses (NA = reported).

    feedback_exemptions: issue_id, fingerprint, reason — applies while the
    finding's fingerprint is unchanged. register: rule, id_number,
    household_id, reason — applies to the rule's findings about that person
    or household."""
    reason = pd.Series(pd.NA, index=found.index, dtype="string")
    keyed = found[["issue_id", "fingerprint"]].reset_index()
    hits = keyed.merge(feedback_exemptions[["issue_id", "fingerprint", "reason"]], on=["issue_id", "fingerprint"])
    reason = reason.fillna(pd.Series(hits["reason"].to_numpy(), index=hits["index"], dtype="string"))
    for column in ("id_number", "household_id"):
        named = register[["rule", column, "reason"]].dropna(subset=[column])
        named = named[named[column].astype("string").str.len() > 0].drop_duplicates(["rule", column])
        by_rule = found[["rule", column]].reset_index().merge(named, on=["rule", column])
        reason = reason.fillna(pd.Series(by_rule["reason"].to_numpy(), index=by_rule["index"], dtype="string"))
    return reason


def latest(frame: pd.DataFrame, by: str, order: list[str]) -> pd.DataFrame:
    """The last row per `by` after sorting by `order`."""
    return frame.sort_values(order, kind="stable").drop_duplicates(by, keep="last")


def outcome_frame(frame: pd.DataFrame, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """OUTCOME_COLUMNS first (dates as datetime64), then the rest of the input's columns."""
    out = frame.copy()
    for column in TEXT_COLUMNS + ["issue_id", "status"]:
        out[column] = out[column].astype("string")
    out["row"] = pd.array(out["row"], dtype="Int64")
    for column in ("first_seen", "last_seen"):
        out[column] = pd.to_datetime(out[column]).astype("datetime64[ns]")
    out["claimed_fixed"] = out["claimed_fixed"].astype(bool) if "claimed_fixed" in out else False
    columns = OUTCOME_COLUMNS + list(extra)
    rest = [c for c in out.columns if c not in columns and c != "fingerprint"]
    return out[columns + rest].reset_index(drop=True)


def reported_message(message: pd.Series, claimed_fixed: pd.Series) -> pd.Series:
    text = message.astype("string").fillna("")
    return text.where(~claimed_fixed.astype(bool), text + NOT_FIXED)


def is_reported(status: pd.Series) -> pd.Series:
    return status.isin(REPORTED)
