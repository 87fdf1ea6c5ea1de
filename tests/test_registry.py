"""The findings registry (RULES.md §Lifecycle, CONTRACT.md §1 --db), on SQLite
and PostgreSQL: statuses across runs, reruns, concurrent runs, rollback,
exemptions, and connecting."""
from __future__ import annotations

import datetime as dt
import hashlib
import threading

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from recon.registry import OUTCOME_COLUMNS, RegistryUnavailable, issue_id, issue_ids, open_registry, store
from recon.registry.models import Base
from registry_helpers import FEB, JAN, MAR, by_key, findings, snapshot

@pytest.fixture
def registry(registry_url, tmp_path):
    opened = open_registry(registry_url, tmp_path)
    yield opened
    opened.close()


def test_lifecycle_new_open_resolved_reopened_over_three_periods(registry, county):
    jan = registry.record_run(county, JAN, findings("A", "B", "C"))
    assert by_key(jan.current) == {"A": "new", "B": "new", "C": "new"}

    feb = registry.record_run(county, FEB, findings("B", "C", "D"))
    assert by_key(feb.current) == {"B": "open", "C": "open", "D": "new"}
    assert by_key(feb.resolved) == {"A": "resolved"}
    fixed = feb.resolved.iloc[0]
    assert (fixed["first_seen"], fixed["last_seen"]) == (pd.Timestamp(JAN), pd.Timestamp(JAN))
    assert fixed["name"] == "张三" and fixed["township"] == "城关镇"   # last known display fields

    mar = registry.record_run(county, MAR, findings("A", "D"))
    assert by_key(mar.current) == {"A": "reopened", "D": "open"}
    assert by_key(mar.resolved) == {"B": "resolved", "C": "resolved"}
    seen = mar.current.set_index("key")
    assert seen.loc["A", "first_seen"] == pd.Timestamp(JAN) and seen.loc["A", "last_seen"] == pd.Timestamp(MAR)
    assert seen.loc["D", "first_seen"] == pd.Timestamp(FEB)
    assert list(mar.current.columns[:len(OUTCOME_COLUMNS)]) == OUTCOME_COLUMNS


def test_findings_of_a_rule_that_could_not_run_are_not_struck_off(registry, county):
    # RULES.md §Lifecycle: only a finding not found by a run that checked it is resolved.
    # A month without education/ must not strike off every EDU01 (销号 of unchecked problems).
    registry.record_run(county, JAN, pd.concat([findings("A"), findings("E", rule="EDU01")]))
    feb = registry.record_run(county, FEB, findings("A"), skipped_rules={"EDU01"})
    assert by_key(feb.resolved) == {}
    assert by_key(feb.current) == {"A": "open"}
    mar = registry.record_run(county, MAR, pd.concat([findings("A"), findings("E", rule="EDU01")]))
    assert by_key(mar.current) == {"A": "open", "E": "open"}
    assert mar.current.set_index("key").loc["E", "last_seen"] == pd.Timestamp(MAR)
    apr = registry.record_run(county, dt.date(2025, 4, 30), findings("A"))
    assert by_key(apr.resolved) == {"E": "resolved"}


def test_history_counts_open_findings_per_run_and_township(registry, county):
    registry.record_run(county, JAN, pd.concat([findings("A", "B"), findings("C", township="新城镇")]))
    outcome = registry.record_run(county, FEB, findings("A"))
    history = outcome.history.set_index(["as_of", "township"])
    assert history.loc[(pd.Timestamp(JAN), "城关镇"), "open_findings"] == 2
    assert history.loc[(pd.Timestamp(JAN), "新城镇"), "open_findings"] == 1
    assert history.loc[(pd.Timestamp(FEB), "城关镇"), ["open_findings", "resolved"]].tolist() == [1, 1]
    assert history.loc[(pd.Timestamp(FEB), "新城镇"), ["open_findings", "resolved"]].tolist() == [0, 1]


def test_rerun_of_the_same_as_of_date_changes_nothing(registry, county):
    registry.record_run(county, JAN, findings("A", "B"))
    first = registry.record_run(county, FEB, findings("B", "C"))
    before = snapshot(registry, county)
    again = registry.record_run(county, FEB, findings("B", "C"))
    after = snapshot(registry, county)
    pd.testing.assert_frame_equal(first.current, again.current)
    pd.testing.assert_frame_equal(first.resolved, again.resolved)
    assert before["findings"] == after["findings"]
    strip = lambda rows: sorted(r[2:] for r in rows)   # events without id and run_id  # noqa: E731
    assert strip(before["events"]) == strip(after["events"])
    assert len(after["runs"]) == 2


def test_rerun_with_other_findings_replaces_the_run(registry, county):
    registry.record_run(county, JAN, findings("A"))
    registry.record_run(county, FEB, findings("A", "B"))
    replaced = registry.record_run(county, FEB, findings("C"))
    assert by_key(replaced.current) == {"C": "new"} and by_key(replaced.resolved) == {"A": "resolved"}
    assert registry.known_issue_ids(county) == {issue_id("ID02", "A", county), issue_id("ID02", "C", county)}


def test_two_runs_of_one_county_at_once_do_not_duplicate_findings(registry_url, tmp_path, county):
    open_registry(registry_url, tmp_path).close()   # migrated once, as the CLI would have
    frame = findings(*[f"K{i}" for i in range(300)])
    barrier, errors = threading.Barrier(2), []

    def run():
        registry = open_registry(registry_url, tmp_path)
        try:
            barrier.wait()
            registry.record_run(county, JAN, frame)
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            registry.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    registry = open_registry(registry_url, tmp_path)
    rows = snapshot(registry, county)
    registry.close()
    assert (len(rows["runs"]), len(rows["findings"]), len(rows["events"])) == (1, 300, 300)


def test_a_run_failing_midway_leaves_the_registry_as_before(registry, county, monkeypatch):
    registry.record_run(county, JAN, findings("A", "B"))
    before = snapshot(registry, county)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(store, "_write_events", broken)   # after the run row and exemptions are inserted
    with pytest.raises(RuntimeError, match="disk full"):
        registry.record_run(county, FEB, findings("B", "C"), exemptions=pd.DataFrame(
            {"rule": ["ID02"], "id_number": ["B"], "household_id": [None], "reason": ["已核实"]}))
    assert snapshot(registry, county) == before


def test_claimed_fixed_finding_found_again_is_flagged_not_fixed(registry, county):
    registry.record_run(county, JAN, findings("A", "B"))
    claims = pd.DataFrame({"issue_id": [issue_id("ID02", "A", county)], "status_text": ["已整改"],
                           "reason": [None], "file": ["feedback/城关镇.xlsx"], "row": [2],
                           "list_as_of": [pd.Timestamp(JAN)]})
    feb = registry.record_run(county, FEB, findings("A", "B"), feedback=claims).current.set_index("key")
    assert feb.loc["A", "claimed_fixed"] and not feb.loc["B", "claimed_fixed"]
    assert feb.loc["A", "message"].endswith("（整改未到位）")
    assert feb.loc["B", "message"] == "性别与证件号码不符"


def test_verified_with_reason_suppresses_until_the_evidence_changes(registry, county):
    registry.record_run(county, JAN, findings("A", "B"))
    claims = pd.DataFrame({"issue_id": [issue_id("ID02", "A", county)], "status_text": ["核实无误"],
                           "reason": ["户籍登记有误，已报公安更正"], "file": ["feedback/城关镇.xlsx"], "row": [2],
                           "list_as_of": [pd.Timestamp(JAN)]})
    feb = registry.record_run(county, FEB, findings("A", "B"), feedback=claims)
    assert by_key(feb.current) == {"B": "open"}
    assert by_key(feb.suppressed) == {"A": "suppressed"}
    assert feb.suppressed["reason"].tolist() == ["户籍登记有误，已报公安更正"]
    assert feb.counts["suppressed"] == 1 and feb.resolved.empty

    mar = registry.record_run(county, MAR, findings("A", "B"))   # feedback folder emptied: still exempt
    assert by_key(mar.suppressed) == {"A": "suppressed"}

    changed = pd.concat([findings("A", actual="女"), findings("B")])
    apr = registry.record_run(county, dt.date(2025, 4, 30), changed)
    assert by_key(apr.current) == {"A": "new", "B": "open"} and apr.suppressed.empty


def test_exemption_register_suppresses_by_id_number_or_household(registry, county):
    register = pd.DataFrame({"rule": ["ID02", "ID02", "EDU01"], "id_number": ["A", None, "C"],
                             "household_id": [None, "HB", None], "reason": ["特殊情况", "已批准", "别的规则"],
                             "approved_on": [pd.Timestamp("2024-12-01"), pd.NaT, pd.NaT]})
    outcome = registry.record_run(county, JAN, findings("A", "B", "C"), exemptions=register)
    assert by_key(outcome.current) == {"C": "new"}
    assert dict(zip(outcome.suppressed["key"], outcome.suppressed["reason"])) == {"A": "特殊情况", "B": "已批准"}
    later = registry.record_run(county, FEB, findings("A", "B", "C"))   # no longer in the register
    assert by_key(later.current) == {"A": "new", "B": "new", "C": "open"}


def test_feedback_naming_an_unknown_issue_is_an_input_problem(registry, county):
    registry.record_run(county, JAN, findings("A"))
    claims = pd.DataFrame({"issue_id": ["0123456789abcdef"], "status_text": ["已整改"], "reason": [None],
                           "file": ["feedback/别县.xlsx"], "sheet": ["身份信息"], "row": [5],
                           "list_as_of": [pd.Timestamp(JAN)]})
    outcome = registry.record_run(county, FEB, findings("A"), feedback=claims)
    assert outcome.problems[["file", "row", "column"]].values.tolist() == [["feedback/别县.xlsx", 5, "问题编号"]]
    assert not outcome.current["claimed_fixed"].any()


def test_issue_id_is_a_stable_hash_of_county_rule_and_key(county):
    frame = findings("A", "B")
    assert issue_ids(frame, county).tolist() == [issue_id("ID02", "A", county), issue_id("ID02", "B", county)]
    assert issue_id("ID02", "A", "甲县") != issue_id("ID02", "A", "乙县")
    assert issue_id("ID02", "A", "甲县") == hashlib.sha1("甲县|ID02|A".encode()).hexdigest()[:16]
    assert len(issue_id("ID02", "A", "甲县")) == 16


def test_default_registry_is_sqlite_in_the_output_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("RECON_DATABASE_URL", raising=False)
    open_registry(None, tmp_path / "out").close()
    assert (tmp_path / "out" / "recon.db").is_file()


def test_registry_url_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("RECON_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    open_registry(None, tmp_path / "out").close()
    assert (tmp_path / "env.db").is_file() and not (tmp_path / "out" / "recon.db").exists()


def test_unreachable_database_is_one_line_without_the_password(tmp_path):
    url = "postgresql+psycopg://clerk:s3cret-pw@127.0.0.1:1/recon"
    with pytest.raises(RegistryUnavailable) as caught:
        open_registry(url, tmp_path)
    message = str(caught.value)
    assert "s3cret-pw" not in message and "\n" not in message and "127.0.0.1" in message


def test_migrations_create_exactly_the_models(registry):
    with registry.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
