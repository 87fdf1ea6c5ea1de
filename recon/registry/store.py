"""The findings registry in a database (CONTRACT.md §1 --db, RULES.md §Lifecycle).

`open_registry()` connects (SQLite at OUT/recon.db by default, any SQLAlchemy
URL, PostgreSQL included) and migrates to head; `Registry.record_run()`
records one run of one county in one transaction, serialised per county (a
PostgreSQL advisory lock, SQLite BEGIN IMMEDIATE), so concurrent runs never
duplicate a finding and a failure leaves the registry as it was.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection
import logging
from pathlib import Path

import pandas as pd
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, bindparam, create_engine, delete, event, exists, func, insert, select, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from recon.problems import problems
from recon.registry import lifecycle as lc
from recon.registry.models import FOUND, REPORTED, STATUSES, UNCHECKED, Exemption, Feedback, Finding, FindingEvent, Run
from recon.registry.outcome import RunOutcome
from recon.registry.url import database_url

log = logging.getLogger(__name__)

DEFAULT_FILE = "recon.db"
MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_TIMEOUT = 30
MIGRATION_LOCK = 7_331_001  # advisory lock key while migrating (any constant)
CHUNK = 5_000               # ids per expanding IN (SQLite bind-parameter limits)
UNKNOWN_ISSUE = "问题编号不是本县登记过的问题（可能来自别的县或被改动），本行已忽略"

RUNS, FINDINGS, EVENTS = Run.__table__, Finding.__table__, FindingEvent.__table__
FEEDBACK, EXEMPTIONS = Feedback.__table__, Exemption.__table__
DISPLAY = ["rule", "key", "severity", "category", "source", "township", "village", "household_id", "id_number",
           "name", "file", "row", "field", "expected", "actual", "message"]


class RegistryUnavailable(RuntimeError):
    """The registry database cannot be used; the message is one line, without password."""


# ---- connecting -------------------------------------------------------------

def open_registry(url: str | None, out_dir: Path) -> "Registry":
    """The registry at `url`, else $RECON_DATABASE_URL, else SQLite OUT/recon.db;
    migrated to head. Raises RegistryUnavailable when it cannot be used."""
    text = database_url(url)
    if text:
        try:
            parsed = make_url(text)
        except ArgumentError:
            raise RegistryUnavailable("问题登记库地址（--db / RECON_DATABASE_URL）格式无法识别") from None
    else:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        parsed = URL.create("sqlite", database=str(Path(out_dir) / DEFAULT_FILE))
    shown = parsed.render_as_string(hide_password=True)
    try:
        engine = _engine(parsed)
        migrate(engine)
    except (SQLAlchemyError, ImportError, OSError) as exc:
        raise RegistryUnavailable(f"无法使用问题登记库 {shown}：{_reason(exc, parsed)}") from None
    return Registry(engine, shown)


def _reason(exc: Exception, url: URL) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line.replace(url.password, "***") if url.password else line


def _engine(url: URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)   # psycopg 3 pipelines executemany
    engine = create_engine(url, connect_args={"timeout": SQLITE_TIMEOUT, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _manual_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # pysqlite must not BEGIN on its own

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection):
        # Take the write lock up front: a second run waits here (timeout) instead of failing mid-way.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def migrate(engine: Engine) -> None:
    """Alembic upgrade to head, in code (no alembic.ini), one migrator at a time."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


# ---- the registry -------------------------------------------------------------

class Registry:
    def __init__(self, engine: Engine, shown_url: str):
        self.engine = engine
        self.shown_url = shown_url   # password hidden

    def close(self) -> None:
        self.engine.dispose()

    def record_run(self, county: str, as_of: dt.date, findings: pd.DataFrame,
                   feedback: pd.DataFrame | None = None, exemptions: pd.DataFrame | None = None,
                   skipped_rules: Collection[str] = ()) -> RunOutcome:
        """Record this run's findings of `county` at `as_of` (replacing a run of
        the same date) and return their lifecycle. `feedback`: read_feedback()
        claims; `exemptions`: read_exemptions() register rows. One transaction."""
        with self.engine.begin() as connection:
            _lock_county(connection, county)
            return _record(connection, county, as_of, findings, feedback, exemptions, set(skipped_rules))

    def known_issue_ids(self, county: str) -> set[str]:
        with self.engine.connect() as connection:
            return set(connection.scalars(select(FINDINGS.c.issue_id).where(FINDINGS.c.county == county)))


def _lock_county(connection: Connection, county: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(func.hashtext(county))))
    # SQLite: the transaction began with BEGIN IMMEDIATE, which locks the whole database.


def _record(connection, county, as_of, findings, feedback, exemptions, skipped_rules=frozenset()) -> RunOutcome:
    now = dt.datetime.now(dt.timezone.utc)
    replaced = _drop_run(connection, county, as_of)
    run_id = connection.execute(insert(RUNS).values(county=county, as_of=as_of, started_at=now,
                                                    status="running")).inserted_primary_key[0]
    found = lc.prepare(findings, county)
    found["display_hash"] = lc.display_hashes(found, DISPLAY)
    known = _frame(connection, select(FINDINGS.c.issue_id, FINDINGS.c.display_hash).where(FINDINGS.c.county == county))
    previous_as_of = connection.scalar(select(func.max(RUNS.c.as_of)).where(RUNS.c.county == county,
                                                                            RUNS.c.as_of < as_of))
    previous = _frame(connection, select(EVENTS.c.issue_id, EVENTS.c.status).where(
        EVENTS.c.county == county, EVENTS.c.as_of == previous_as_of))
    previous_open = set(previous.loc[previous["status"].isin(REPORTED + (UNCHECKED,)), "issue_id"])
    ever_resolved = set(connection.scalars(select(EVENTS.c.issue_id).distinct().where(
        EVENTS.c.county == county, EVENTS.c.as_of < as_of, EVENTS.c.status == "resolved")))

    claims, feedback_problems = _store_feedback(connection, run_id, county, as_of, previous_as_of, feedback, known, now)
    register = _register_frame(exemptions)
    _insert(connection, EXEMPTIONS, register.assign(run_id=run_id, county=county, source="register"))

    active = _active_feedback(connection, county, as_of)
    reason = lc.suppression(found, active[active["status_text"] == lc.VERIFIED], register)
    found["status"] = lc.statuses(found, reason.notna(), previous_open, ever_resolved)
    found["reason"] = reason
    fixed_claims = set(active.loc[active["status_text"] == lc.CLAIMED_FIXED, "issue_id"])
    found["claimed_fixed"] = found["issue_id"].isin(fixed_claims) & lc.is_reported(found["status"])

    # Not found now: struck off (销号) — unless its rule did not run this time.
    gone = _findings_of(connection, county, previous_open - set(found["issue_id"]), DISPLAY)
    unchecked = gone["rule"].isin(skipped_rules)
    resolved = gone[~unchecked].assign(status="resolved", claimed_fixed=False)
    _write_events(connection, run_id, county, as_of, found,
                  pd.concat([resolved, gone[unchecked].assign(status=UNCHECKED)], ignore_index=True))
    summary = _update_findings(connection, run_id, county, as_of, found, known, replaced)

    counts = {status: int((found["status"] == status).sum()) for status in FOUND}
    counts |= {"resolved": len(resolved), "claimed_fixed": int(found["claimed_fixed"].sum()),
               "found": len(found), "feedback": len(claims), "register": len(register),
               "unchecked": int(unchecked.sum())}
    connection.execute(update(RUNS).where(RUNS.c.id == run_id).values(
        status="complete", finished_at=dt.datetime.now(dt.timezone.utc), counts=counts))

    found = found.drop(columns=["first_seen", "last_seen"], errors="ignore").merge(
        summary[["issue_id", "first_seen", "last_seen"]], on="issue_id", how="left")
    found["message"] = lc.reported_message(found["message"], found["claimed_fixed"])
    reported = lc.is_reported(found["status"])
    resolved = resolved.merge(
        summary[["issue_id", "first_seen", "last_seen"]], on="issue_id", how="left").assign(county=county)
    log.info("registry: %s run %s recorded: %s", county, as_of, counts)
    return RunOutcome(
        current=lc.outcome_frame(found[reported].drop(columns="reason")),
        resolved=lc.outcome_frame(resolved),
        suppressed=lc.outcome_frame(found[~reported], extra=("reason",)),
        history=_history(connection, county),
        problems=feedback_problems, counts=counts, run_id=run_id, source_history=_source_history(connection, county))


def _drop_run(connection, county, as_of) -> bool:
    """A rerun of the same date replaces the earlier one: remove it and its effects."""
    old = connection.scalar(select(RUNS.c.id).where(RUNS.c.county == county, RUNS.c.as_of == as_of))
    if old is None:
        return False
    for table in (EVENTS, FEEDBACK, EXEMPTIONS):
        connection.execute(delete(table).where(table.c.run_id == old))
    connection.execute(delete(RUNS).where(RUNS.c.id == old))
    return True


def _store_feedback(connection, run_id, county, as_of, previous_as_of, feedback, known, now):
    """Store the claims of returned lists; 核实无误 claims become feedback
    exemptions with the fingerprint of the evidence the list showed."""
    claims = _claims_frame(feedback, previous_as_of)
    unknown = ~claims["issue_id"].isin(set(known["issue_id"])) | claims["list_as_of"].isna()
    found_problems = problems(claims.loc[unknown, ["file", "sheet", "row"]].assign(
        column="问题编号", problem=UNKNOWN_ISSUE).to_dict("records"))
    claims = claims[~unknown]
    claims = claims[claims["list_as_of"] < as_of]   # a list made on this very date cannot be returned yet
    _insert(connection, FEEDBACK, claims[["issue_id", "list_as_of", "status_text", "reason", "file"]]
            .assign(run_id=run_id, county=county, read_at=now))
    verified = claims[claims["status_text"] == lc.VERIFIED]
    if len(verified):
        shown = _events_before(connection, county, as_of, verified["issue_id"])
        shown = verified[["issue_id", "list_as_of"]].merge(shown, on="issue_id")
        shown = lc.latest(shown[shown["as_of"] <= shown["list_as_of"]], "issue_id", ["as_of"])
        who = _findings_of(connection, county, verified["issue_id"], ["rule", "id_number", "household_id"])
        exempt = verified.merge(shown[["issue_id", "fingerprint"]], on="issue_id").merge(who, on="issue_id")
        _insert(connection, EXEMPTIONS, exempt[["issue_id", "rule", "id_number", "household_id", "reason",
                                                "fingerprint"]]
                .assign(run_id=run_id, county=county, source="feedback", approved_on=exempt["list_as_of"]))
    return claims, found_problems


def _claims_frame(feedback, previous_as_of) -> pd.DataFrame:
    columns = ["issue_id", "status_text", "reason", "file", "sheet", "row", "list_as_of"]
    frame = pd.DataFrame(columns=columns) if feedback is None else feedback.copy()
    for column in columns:
        if column not in frame.columns:
            frame[column] = pd.NA
    frame["list_as_of"] = pd.to_datetime(frame["list_as_of"]).dt.date
    frame["list_as_of"] = frame["list_as_of"].where(frame["list_as_of"].notna(), previous_as_of)
    return frame[columns].reset_index(drop=True)


def _events_before(connection, county, as_of, issue_ids) -> pd.DataFrame:
    query = select(EVENTS.c.issue_id, EVENTS.c.as_of, EVENTS.c.fingerprint).where(
        EVENTS.c.county == county, EVENTS.c.as_of < as_of, EVENTS.c.fingerprint.is_not(None),
        EVENTS.c.issue_id.in_(bindparam("ids", expanding=True)))
    return _chunked(connection, query, issue_ids)


def _findings_of(connection, county, issue_ids, columns: list[str]) -> pd.DataFrame:
    """Stored fields of the given issues of the county."""
    query = select(FINDINGS.c.issue_id, *[FINDINGS.c[c] for c in columns]).where(
        FINDINGS.c.county == county, FINDINGS.c.issue_id.in_(bindparam("ids", expanding=True)))
    return _chunked(connection, query, issue_ids)


def _chunked(connection, query, issue_ids) -> pd.DataFrame:
    """`query` (with an expanding bind `ids`) over the ids, a chunk at a time."""
    ids = sorted(set(issue_ids))
    chunks = [_frame(connection, query, {"ids": ids[i:i + CHUNK]}) for i in range(0, max(len(ids), 1), CHUNK)]
    return pd.concat(chunks, ignore_index=True)


def _active_feedback(connection, county, as_of) -> pd.DataFrame:
    """Per issue, the latest feedback from runs up to this date (about lists
    before it), with the exemption fingerprint when it was 核实无误."""
    query = (select(FEEDBACK.c.id, FEEDBACK.c.issue_id, FEEDBACK.c.list_as_of, FEEDBACK.c.status_text,
                    RUNS.c.as_of.label("run_as_of"))
             .join(RUNS, RUNS.c.id == FEEDBACK.c.run_id)
             .where(FEEDBACK.c.county == county, RUNS.c.as_of <= as_of, FEEDBACK.c.list_as_of < as_of))
    claims = lc.latest(_frame(connection, query), "issue_id", ["list_as_of", "run_as_of", "id"])
    exempt = (select(EXEMPTIONS.c.id, EXEMPTIONS.c.issue_id, EXEMPTIONS.c.fingerprint, EXEMPTIONS.c.reason,
                     RUNS.c.as_of.label("run_as_of"))
              .join(RUNS, RUNS.c.id == EXEMPTIONS.c.run_id)
              .where(EXEMPTIONS.c.county == county, EXEMPTIONS.c.source == "feedback", RUNS.c.as_of <= as_of))
    exempt = lc.latest(_frame(connection, exempt), "issue_id", ["run_as_of", "id"])
    claims["issue_id"] = claims["issue_id"].astype("string")
    exempt["issue_id"] = exempt["issue_id"].astype("string")
    return claims[["issue_id", "status_text"]].merge(exempt[["issue_id", "fingerprint", "reason"]],
                                                     on="issue_id", how="left")


def _register_frame(exemptions) -> pd.DataFrame:
    columns = ["rule", "id_number", "household_id", "reason", "approved_on"]
    frame = pd.DataFrame(columns=columns) if exemptions is None else exemptions.copy()
    for column in columns:
        if column not in frame.columns:
            frame[column] = pd.NA
    frame = frame[columns].astype({c: "string" for c in columns[:4]})
    frame["approved_on"] = pd.to_datetime(frame["approved_on"]).dt.date
    return frame.reset_index(drop=True)


def _write_events(connection, run_id, county, as_of, found, resolved) -> None:
    for frame in (found[["issue_id", "status", "township", "fingerprint"]], resolved[["issue_id", "status", "township"]]):
        _insert(connection, EVENTS, frame.assign(run_id=run_id, county=county, as_of=as_of))


def _update_findings(connection, run_id, county, as_of, found, known, replaced) -> pd.DataFrame:
    """Bring the findings table in line with the events, set-based: new issues
    inserted; first/last seen and status recomputed from the events for the
    issues this run (or the run it replaced) touched; display fields from this
    run where they changed and it is the latest run; issues left without
    events (only in a replaced run) removed. Returns first/last seen of this
    run's issues."""
    is_new = ~found["issue_id"].isin(known["issue_id"])
    _insert(connection, FINDINGS, found.loc[is_new, ["issue_id", "status", "display_hash"] + DISPLAY]
            .assign(county=county, first_seen=as_of, last_seen=as_of))
    this_run = select(EVENTS.c.issue_id).where(EVENTS.c.run_id == run_id)
    latest_run = connection.scalar(select(func.max(RUNS.c.as_of)).where(RUNS.c.county == county))
    if not replaced and as_of >= latest_run:
        _advance(connection, run_id, county, as_of)
    else:
        _recompute(connection, run_id, county, as_of, replaced)
    if as_of >= latest_run:
        _update_display(connection, county, found[~is_new], known)
    return _frame(connection, select(FINDINGS.c.issue_id, FINDINGS.c.first_seen, FINDINGS.c.last_seen)
                  .where(FINDINGS.c.county == county, FINDINGS.c.issue_id.in_(this_run)))


def _advance(connection, run_id, county, as_of) -> None:
    """The usual case, a run after all others: status := this run's, last_seen := today when found."""
    for status in STATUSES:
        this_status = select(EVENTS.c.issue_id).where(EVENTS.c.run_id == run_id, EVENTS.c.status == status)
        values = {"status": status} | ({"last_seen": as_of} if status in FOUND else {})
        connection.execute(update(FINDINGS).where(FINDINGS.c.county == county,
                                                  FINDINGS.c.issue_id.in_(this_status)).values(values))


def _recompute(connection, run_id, county, as_of, replaced) -> None:
    """A rerun or a run dated before others: first/last seen and status from
    all events, for the issues this run or a later one can have changed."""
    this_run = select(EVENTS.c.issue_id).where(EVENTS.c.run_id == run_id)
    same_issue = (EVENTS.c.county == FINDINGS.c.county) & (EVENTS.c.issue_id == FINDINGS.c.issue_id)
    was_found = EVENTS.c.status.in_(FOUND)
    if replaced:   # issues only the replaced run had
        gone = ~exists(select(EVENTS.c.id).where(same_issue))
        connection.execute(delete(FINDINGS).where(FINDINGS.c.county == county, gone))
    connection.execute(update(FINDINGS).where(
        FINDINGS.c.county == county, FINDINGS.c.issue_id.in_(this_run) | (FINDINGS.c.last_seen >= as_of)).values(
        first_seen=select(func.min(EVENTS.c.as_of)).where(same_issue, was_found).scalar_subquery(),
        last_seen=select(func.max(EVENTS.c.as_of)).where(same_issue, was_found).scalar_subquery(),
        status=select(EVENTS.c.status).where(same_issue).order_by(EVENTS.c.as_of.desc()).limit(1).scalar_subquery()))


def _update_display(connection, county, found, known) -> None:
    """Last known display fields := this run's, for the issues where they differ."""
    stored = found["issue_id"].map(known.set_index("issue_id")["display_hash"])
    rows = found[found["display_hash"] != stored.astype("string").fillna("")]
    if rows.empty:
        return
    columns = DISPLAY + ["display_hash"]
    statement = (update(FINDINGS)
                 .where(FINDINGS.c.county == bindparam("b_county"), FINDINGS.c.issue_id == bindparam("b_issue_id"))
                 .values({c: bindparam(f"v_{c}") for c in columns}))
    renamed = rows[["issue_id"] + columns].rename(columns={"issue_id": "b_issue_id"} | {c: f"v_{c}" for c in columns})
    connection.execute(statement, _records(renamed.assign(b_county=county)))


def _history(connection, county) -> pd.DataFrame:
    """Per run date and township: findings by status, open_findings = reported."""
    counts = _frame(connection, select(EVENTS.c.as_of, EVENTS.c.township, EVENTS.c.status,
                                       func.count().label("n"))
                    .where(EVENTS.c.county == county)
                    .group_by(EVENTS.c.as_of, EVENTS.c.township, EVENTS.c.status))
    return _status_table(counts, "township")


def _source_history(connection, county) -> pd.DataFrame:
    """Per run date and finding source (its last known `source`): findings by
    status, open_findings = reported."""
    joined = (FINDINGS.c.county == EVENTS.c.county) & (FINDINGS.c.issue_id == EVENTS.c.issue_id)
    counts = _frame(connection, select(EVENTS.c.as_of, FINDINGS.c.source, EVENTS.c.status, func.count().label("n"))
                    .select_from(EVENTS.join(FINDINGS, joined))
                    .where(EVENTS.c.county == county)
                    .group_by(EVENTS.c.as_of, FINDINGS.c.source, EVENTS.c.status))
    return _status_table(counts, "source")


def _status_table(counts: pd.DataFrame, by: str) -> pd.DataFrame:
    """(as_of, by, status, n) counts as one row per as_of and `by`, a column per status."""
    statuses = list(REPORTED) + ["resolved", "suppressed"]
    counts[by] = counts[by].fillna("")
    table = counts.pivot_table(index=["as_of", by], columns="status", values="n", aggfunc="sum",
                               fill_value=0).reindex(columns=statuses, fill_value=0)
    table.columns.name = None
    table = table.reset_index()
    table["open_findings"] = table[list(REPORTED)].sum(axis=1)
    table["as_of"] = pd.to_datetime(table["as_of"]).astype("datetime64[ns]")
    return table[["as_of", by, "open_findings"] + statuses].astype({s: "int64" for s in statuses + ["open_findings"]})


# ---- frames in and out --------------------------------------------------------

def _frame(connection, query, params: dict | None = None) -> pd.DataFrame:
    result = connection.execute(query, params or {})
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values, None for missing (bulk executemany)."""
    columns = {c: frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame.columns}
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


def _insert(connection, table, frame: pd.DataFrame) -> None:
    if len(frame):
        keep = [c for c in frame.columns if c in table.c]
        connection.execute(insert(table), _records(frame[keep]))
