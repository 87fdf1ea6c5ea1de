"""The database link (issue 7, CONTRACT.md §1): credentials come from the
URL or the environment and are never printed, on the error path or the
success path; SQL is built only through SQLAlchemy constructs and bound
parameters, never by formatting strings."""
import ast
import logging
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from pipelines.cli import main
from tiny_drop import write_drop

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "s3cr3tPW9"
AS_OF = "2025-06-30"
SQL_CALLS = {"text", "execute", "exec_driver_sql", "executescript", "read_sql", "read_sql_query"}


def formatted_sql_calls(source: str) -> list[int]:
    """Line numbers of SQL calls whose statement is an f-string, a % or +
    expression on a string, or a str.format() result."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in SQL_CALLS:
            continue
        statement = node.args[0]
        formatted = (isinstance(statement, ast.JoinedStr)
                     or isinstance(statement, ast.BinOp) and isinstance(statement.op, (ast.Mod, ast.Add))
                     or isinstance(statement, ast.Call) and isinstance(statement.func, ast.Attribute)
                     and statement.func.attr == "format")
        if formatted:
            lines.append(node.lineno)
    return lines


def test_the_sql_detector_finds_formatted_statements():
    assert formatted_sql_calls('c.execute(text(f"select * from t where id = {x}"))\n') == [1]
    assert formatted_sql_calls('c.exec_driver_sql("delete from t where a = %s" % a)\n') == [1]
    assert formatted_sql_calls('c.execute(text("select :a"), {"a": 1})\n') == []


def test_no_module_builds_sql_by_string_formatting():
    found = {}
    for package in ("recon", "checks", "assets", "pipelines"):
        for path in (ROOT / package).rglob("*.py"):
            lines = formatted_sql_calls(path.read_text(encoding="utf-8"))
            if lines:
                found[path.relative_to(ROOT).as_posix()] = lines
    assert found == {}


def with_password(url: str) -> str:
    return make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)


def test_bad_database_url_error_is_one_line_without_the_password(tmp_path, capsys, caplog):
    drop = write_drop(tmp_path / "drop")
    with caplog.at_level(logging.DEBUG):
        code = main(["run", "--data", str(drop), "--out", str(tmp_path / "out"), "--as-of", AS_OF,
                     "--db", f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:5432/no_such_database_x"])
    captured = capsys.readouterr()
    assert code != 0 and len(captured.err.strip().splitlines()) == 1
    assert PASSWORD not in captured.out + captured.err + caplog.text


@pytest.mark.postgres
def test_a_run_on_postgresql_with_a_password_in_the_environment_never_prints_it(tmp_path, postgres_url, capfd,
                                                                               caplog, monkeypatch):
    drop = write_drop(tmp_path / "drop")
    out = tmp_path / "out"
    monkeypatch.setenv("RECON_DATABASE_URL", with_password(postgres_url))   # trust auth ignores the password
    with caplog.at_level(logging.DEBUG):
        assert main(["run", "--data", str(drop), "--out", str(out), "--as-of", AS_OF]) == 0
    captured = capfd.readouterr()
    assert PASSWORD not in captured.out + captured.err + caplog.text
    assert not (out / "recon.db").exists()   # the registry went to PostgreSQL
    for path in out.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path.name
