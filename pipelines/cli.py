"""The `recon` command (CONTRACT.md §1).

recon run   --data DIR --out DIR [--as-of YYYY-MM-DD] [--config FILE] [--db URL] [--workers N]
            [--executor local|multiprocess|celery] [--broker URL]
recon rules [--config FILE] [--format table|csv|markdown]
recon demo  --out DIR [--households N] [--counties N] [--seed S] [--as-of YYYY-MM-DD]
recon worker [--broker URL] [--concurrency N] [--name NAME]
recon ui    [--data DIR] [--out DIR] [--as-of YYYY-MM-DD] [--config FILE] [--db URL] [--host H] [--port P]

`run` materialises the same asset graph as the Dagster UI, in-process, and
records each run in the Dagster instance `ui` opens (pipelines/instance.py:
DAGSTER_HOME, else OUT/.dagster_home). Exit 0 when the run completed,
whatever it found; non-zero with one clear line on stderr when it could not
complete."""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

console = Console(stderr=True)
RULES_FORMATS = ("table", "csv", "markdown")
EXECUTORS = ("local", "multiprocess", "celery")   # pipelines/engines.py
RULES_TABLE_WIDTH = 160   # `recon rules` written to a file or pipe
DEFAULT_BROKER_SHOWN = "pyamqp://guest@127.0.0.1:5672//"   # pipelines/engines.py DEFAULT_BROKER


class UsageProblem(Exception):
    """A run that cannot start: the message is the one line the user sees."""


def parse_date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD: {text!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="recon", description="核对村级台账、监测系统与行业部门数据 / reconcile a county's data drop")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the reconciliation on a data drop")
    run.add_argument("--data", required=True, type=Path, help="the data drop (docs/input.md)")
    run.add_argument("--out", required=True, type=Path, help="output folder (created if missing)")
    run.add_argument("--as-of", type=parse_date, help="reporting date YYYY-MM-DD (default: today)")
    run.add_argument("--config", type=Path, help="settings YAML (docs/rules.md, 设置项)")
    run.add_argument("--workers", type=int, help="counties run side by side in a multi-county drop "
                     "(default: RECON_WORKERS, else one per CPU core; ~2.5 GB of memory each)")
    run.add_argument("--db", help="SQLAlchemy URL of the registry (default: SQLite OUT/recon.db; env RECON_DATABASE_URL)")
    run.add_argument("--county", action="append", metavar="NAME",
                     help="only this county of a multi-county drop (repeat for several), e.g. to rerun one that failed")
    run.add_argument("--executor", choices=EXECUTORS, default="local",
                     help="local (default): each county in one process, counties side by side (--workers); "
                          "multiprocess: Dagster's multiprocess executor; celery: steps on `recon worker` "
                          "processes via RabbitMQ (docs/operations.md)")
    run.add_argument("--broker", help="Celery broker URL for --executor celery "
                     f"(default: RECON_CELERY_BROKER, else {DEFAULT_BROKER_SHOWN})")
    worker = sub.add_parser("worker", help="run counties' steps sent by recon run --executor celery (Celery on RabbitMQ)")
    worker.add_argument("--broker", help=f"broker URL (default: RECON_CELERY_BROKER, else {DEFAULT_BROKER_SHOWN})")
    worker.add_argument("--concurrency", type=int, help="steps at once, one process each (default: one per CPU core; "
                        "a step of a 200,000-person county needs about 2.5 GB)")
    worker.add_argument("--name", help="the worker's node name (default recon-<pid>@<host>)")
    rules = sub.add_parser("rules", help="print the rule catalog as a config makes it (docs/rules.md)")
    rules.add_argument("--config", type=Path, help="settings YAML (docs/rules.md, 设置项)")
    rules.add_argument("--format", choices=RULES_FORMATS, default="table",
                       help="table (default), csv (UTF-8) or markdown")
    ui = sub.add_parser("ui", help="the Dagster UI (dagster dev) on the instance recon run records into")
    ui.add_argument("--data", type=Path, help="the data drop (default: RECON_DATA_DIR, else demo_drop)")
    ui.add_argument("--out", type=Path, help="output folder; its .dagster_home is the instance unless DAGSTER_HOME "
                    "is set (default: RECON_OUT_DIR, else out)")
    ui.add_argument("--as-of", type=parse_date, help="reporting date of runs launched from the UI (default: today)")
    ui.add_argument("--config", type=Path, help="settings YAML of runs launched from the UI")
    ui.add_argument("--db", help="SQLAlchemy URL of the registry (env RECON_DATABASE_URL)")
    ui.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    ui.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    demo = sub.add_parser("demo", help="write a demo data drop with an answer key")
    demo.add_argument("--out", required=True, type=Path)
    demo.add_argument("--households", type=int, default=300, help="households (per county with --counties)")
    demo.add_argument("--counties", type=int, help="a drop of N counties, DIR/<county>/…, each with its own name, "
                      "region code and answer key (docs/operations.md, scale-out)")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--as-of", type=parse_date, default="2025-06-30")
    return parser


def load_settings(config: Path | None):
    """The config's settings, its `rules:` checked against the catalog's
    codes; a config that cannot be used is a UsageProblem (one line, exit 2),
    before anything else happens. Imports no Dagster: the catalog is plain
    Python, and a bad config should be refused at once."""
    from checks.rules.catalog import rule_codes
    from recon.settings import Settings, SettingsError
    try:
        return Settings.load(config, rule_codes=rule_codes())
    except SettingsError as exc:
        raise UsageProblem(str(exc)) from None


def check_drop(data: Path) -> None:
    from recon.layout import source_present
    if not data.is_dir():
        raise UsageProblem(f"数据目录不存在或不可读: {data}")
    for required in ("system", "ledger"):
        if not source_present(data, required):
            raise UsageProblem(f"数据目录 {data} 中缺少必需的 {required}/ 文件夹或其中没有文件")


def check_database(url: str | None) -> None:
    """An unreachable registry stops the run before anything is written."""
    if not url:
        return
    from recon.registry import RegistryUnavailable, open_registry
    try:
        open_registry(url, Path(".")).close()
    except RegistryUnavailable as exc:
        raise UsageProblem(str(exc)) from None


def command_run(args) -> int:
    from assets import sidecar
    # First of all, on a single-county drop: the sidecar process imports while this one
    # checks the config and imports Dagster (assets/sidecar.py). Runs on another engine have none.
    if args.executor == "local":
        sidecar.start_early(args.data)
    try:
        return run_drop(args)
    finally:
        sidecar.abandon()   # when the run did not take it over (a check failed)


def run_drop(args) -> int:
    from recon.layout import counties

    settings = load_settings(args.config)   # CONTRACT.md §1: a bad config stops the run before anything is read
    # A multi-county drop (DIR/<county>/system/…): each county is one partition.
    county_names = counties(args.data)
    if args.county:
        unknown = sorted(set(args.county) - set(county_names))
        if unknown:
            raise UsageProblem(f"数据目录 {args.data} 中没有这些县的文件夹: {', '.join(unknown)}")
        county_names = [name for name in county_names if name in args.county]
    for folder in [args.data / name for name in county_names] or [args.data]:
        check_drop(folder)
    from recon.registry.url import database_url
    db_url = database_url(args.db)
    check_database(db_url)
    args.out.mkdir(parents=True, exist_ok=True)
    home = run_history_home(args.out)

    recon = dict(data_dir=str(args.data.resolve()), out_dir=str(args.out.resolve()), as_of=args.as_of,
                 config_file=str(args.config.resolve()) if args.config else None, db_url=db_url)
    if args.executor != "local":
        return run_on_engine(args, recon, county_names, home)
    if not county_names:
        from assets.sidecar import prepare_early
        prepare_early(recon["data_dir"], recon["out_dir"], args.as_of, settings.source)
    if county_names and home is not None:
        from pipelines.instance import open_instance, register_counties
        register_counties(open_instance(home), county_names)   # here, once: not by workers racing each other
    workers = min(len(county_names), args.workers or default_workers())
    if workers > 1:
        return run_counties_in_parallel(recon, county_names, workers, home)
    for county in county_names or [None]:
        failure = run_county(recon, tuple(county_names), county, home)
        if failure:
            raise UsageProblem(failure)
    return 0


def run_on_engine(args, recon: dict, county_names: list[str], home: str | None) -> int:
    """Each county a Dagster run on Dagster's multiprocess or Celery executor
    (pipelines/launch.py), after the checks that make a distributed run possible."""
    from pipelines.engines import BROKER_ENV, broker_url, shown_broker
    from pipelines.instance import open_instance
    if home is None:
        raise UsageProblem(f"--executor {args.executor} 需要 Dagster 实例记录运行（不能与 RECON_RUN_HISTORY=off 同用）")
    instance = open_instance(home)
    if args.executor == "celery":
        if type(instance.run_storage).__name__.startswith("Sqlite"):
            raise UsageProblem(f"--executor celery 需要各机器共享的 Dagster 实例（PostgreSQL）: {home} 用的是 SQLite；"
                               "将 DAGSTER_HOME 指向含 deploy/dagster.yaml 的文件夹（docs/operations.md）")
        if not recon["db_url"] or recon["db_url"].startswith("sqlite"):
            raise UsageProblem("--executor celery 需要各机器共享的问题台账数据库: --db 或 RECON_DATABASE_URL "
                               "设为 postgresql+psycopg://…（docs/operations.md）")
        broker = broker_url(args.broker)
        check_broker(broker)
        os.environ[BROKER_ENV] = broker   # read by the run workers (pipelines/engines.py), never stored
        console.print(f"[bold]recon[/bold] broker {shown_broker(broker)}")
    from pipelines.launch import max_concurrent_runs, run_counties_on_engine
    default = 4 if args.executor == "celery" else (os.cpu_count() or 1)
    max_runs = max(1, args.workers or max_concurrent_runs(instance, default))
    broker = broker_url(args.broker) if args.executor == "celery" else None
    failures = run_counties_on_engine(recon, county_names, args.executor, home, max_runs, broker)
    if failures:
        raise UsageProblem("; ".join(failures))
    return 0


def check_broker(broker: str) -> None:
    """An unreachable broker stops the run before anything is launched; no
    worker answering yet is only a note (the runs wait in the queue)."""
    from pipelines.engines import celery_app, shown_broker
    app = celery_app(broker)
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=5)
        workers = app.control.ping(timeout=1.0)
    except Exception as exc:
        raise UsageProblem(f"消息代理不可达 {shown_broker(broker)}: {type(exc).__name__}: "
                           f"{shown_broker(str(exc).splitlines()[0] if str(exc) else '')}") from None
    if not workers:
        console.print(f"[yellow]请注意[/yellow] 暂无 recon worker 应答；各县的步骤在队列中等待，"
                      f"直到有 worker 启动: recon worker --broker {shown_broker(broker)}", soft_wrap=True)


def run_history_home(out: Path) -> str | None:
    """The folder of the Dagster instance the runs are recorded in (None:
    RECON_RUN_HISTORY=off), opened once here: a broken one stops the run
    before anything is read, and its storage exists before workers start."""
    from pipelines.instance import InstanceUnavailable, check_instance, history_enabled, instance_home
    home = str(instance_home(out)) if history_enabled() else None
    try:
        check_instance(home)
    except InstanceUnavailable as exc:
        raise UsageProblem(str(exc)) from None
    return home


def default_workers() -> int:
    """RECON_WORKERS, else one worker per core (a 200,000-person county needs
    about 2.5 GB per worker)."""
    try:
        return max(1, int(os.environ.get("RECON_WORKERS", "")))
    except ValueError:
        return os.cpu_count() or 1


def run_counties_in_parallel(recon: dict, county_names: list[str], workers: int, home: str | None = None) -> int:
    """Counties side by side in worker processes (spawned: no state shared
    with this one); every county runs even when another fails."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    console.print(f"[bold]recon[/bold] {len(county_names)} counties, {workers} at a time")
    from assets.sidecar import watch_parent   # a killed run leaves no county running
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=watch_parent, initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(run_county, recon, tuple(county_names), county, home) for county in county_names]
        failures = []
        for county, future in zip(county_names, futures):
            try:
                failures.append(future.result())
            except BrokenProcessPool:   # a worker killed (e.g. out of memory): its counties did not run
                failures.append(f"{county}: 运行未完成（处理该县的进程意外退出，可能是内存不足；可用 --workers 1 重试）")
    failed = [failure for failure in failures if failure]
    if failed:
        raise UsageProblem("; ".join(failed))
    return 0


def run_county(recon: dict, county_names: tuple[str, ...], county: str | None, home: str | None = None) -> str | None:
    """The reconcile job for one county (None: a single-county drop), in this
    process, recorded in the instance of `home` (None: kept nowhere); the
    one-line reason when it could not complete, else None."""
    data, out = Path(recon["data_dir"]), Path(recon["out_dir"])
    shown_in, shown_out = (data / county, out / county) if county else (data, out)
    from pipelines.progress import HANDLER
    job, instance = _job(tuple(sorted(recon.items())), county_names)
    as_of = recon["as_of"] or dt.date.today().isoformat()
    console.print(f"[bold]recon[/bold] {shown_in} → {shown_out}  (as-of {as_of})")
    HANDLER.start(county)
    from assets.metadata import run_tags
    from pipelines.instance import open_instance, record_run
    run_id = None
    try:
        result = job.execute_in_process(run_config={"loggers": {"recon_progress": {}}}, partition_key=county,
                                        instance=instance, raise_on_error=False, tags=run_tags(county, as_of))
        run_id = result.run_id
    finally:
        # Into the run history (pipelines/instance.py), whether the run completed or not.
        run_id = run_id or latest_run_id(instance)
        if home is not None and run_id:
            try:
                record_run(instance, open_instance(home), run_id)
            except Exception as exc:   # the outputs are written: a lost history entry must not undo the run
                console.print(f"[yellow]请注意[/yellow] 本次运行未记入 Dagster 实例 {home}: {type(exc).__name__}",
                              soft_wrap=True)
    if not result.success:
        return (f"{county}: " if county else "") + first_failure(result)
    print_summary(result, HANDLER.timings, county)
    return None


@functools.lru_cache(maxsize=4)
def _job(recon_items: tuple, county_names: tuple[str, ...]):
    """The job and the in-memory instance it runs on, knowing the counties
    (run_county copies each run into the run history): built once per
    process and drop, reused for each county."""
    from dagster import mem_io_manager

    from assets.resources import ReconConfig
    from pipelines.graph import build_definitions
    recon = ReconConfig(**dict(recon_items))
    defs = build_definitions(recon, io_manager=mem_io_manager, partitioned=bool(county_names))
    from pipelines.instance import register_counties
    from pipelines.run_instance import run_instance
    instance = run_instance()
    # The run history's instance got them from run_drop, before any worker started.
    register_counties(instance, county_names)
    return defs.resolve_job_def("reconcile"), instance


def latest_run_id(instance) -> str | None:
    """The run an interrupted execute_in_process left behind (no result to ask)."""
    runs = instance.get_runs(limit=1)
    return runs[0].run_id if runs else None


def first_failure(result) -> str:
    """One line: a failed blocking check's own description, else the step's error."""
    from dagster import AssetCheckSeverity
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR and evaluation.description:
            return f"运行未完成（数据检查 {evaluation.check_name} 未通过）: {evaluation.description}"
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            cause = error.cause or error
            while cause.cause is not None:
                cause = cause.cause
            message = (cause.message or error.message).strip().splitlines()[-1]
            return f"运行未完成（{event.step_key}）: {message}"
    return "运行未完成"


def print_summary(result, timings: dict[str, float], county: str | None = None) -> None:
    from recon.sources import DATA_SOURCES
    table = Table(title=f"{county or ''} 读取 / rows read".strip(), show_edge=False)
    table.add_column("source"); table.add_column("rows", justify="right"); table.add_column("input problems", justify="right")
    for source in DATA_SOURCES:
        core = result.output_for_node(f"core_{source}")
        rows = "—" if core.frame is None else str(len(core.frame))
        table.add_row(source, rows, str(len(core.problems)))
    console.print(table)
    all_findings = result.output_for_node("out_findings")
    for note in all_findings.notes:
        console.print(f"[yellow]请注意[/yellow] {note}", soft_wrap=True)
    outcome = result.output_for_node("out_registry")
    current = outcome.current
    by_severity = current["severity"].value_counts().to_dict()
    by_status = current["status"].value_counts().to_dict()
    console.print(f"{county + ' ' if county else ''}问题 findings: {len(current)}  (high {by_severity.get('high', 0)}, medium {by_severity.get('medium', 0)}, "
                  f"low {by_severity.get('low', 0)}; new {by_status.get('new', 0)}, open {by_status.get('open', 0)}, "
                  f"reopened {by_status.get('reopened', 0)}); 销号 resolved {len(outcome.resolved)}; "
                  f"suppressed {len(outcome.suppressed)}")
    skipped = all_findings.skipped
    if len(skipped):
        reasons = skipped.groupby("reason")["rule"].agg(",".join)
        console.print(f"未运行的规则 skipped rules: {len(skipped)} — " +
                      "; ".join(f"{rules}: {reason}" for reason, rules in reasons.items()))
    console.print("stage times: " + ", ".join(f"{stage} {t:.1f}s" for stage, t in timings.items()))


def command_demo(args) -> int:
    from recon.demo import generate
    if args.counties:
        return command_demo_counties(args)
    try:
        summary = generate(args.out, households=args.households, seed=args.seed,
                           as_of=dt.date.fromisoformat(args.as_of))
    except ValueError as exc:   # a county too small to plant every rule: one line, exit 2
        raise UsageProblem(str(exc)) from None
    print_demo_summary(summary)
    return 0


def command_demo_counties(args) -> int:
    from recon.demo.counties import generate_counties
    try:
        summaries = generate_counties(args.out, args.counties, households=args.households, seed=args.seed,
                                      as_of=dt.date.fromisoformat(args.as_of))
    except ValueError as exc:   # too few households, too many counties: one line, exit 2
        raise UsageProblem(str(exc)) from None
    out = Console()
    out.print(f"[bold]示例数据已写入 demo drop written[/bold]: {args.out}  ({len(summaries)} counties)")
    table = Table(show_edge=False)
    for column in ("县 county", "区划 region", "户数 households", "人数 persons", "埋入 planted"):
        table.add_column(column, justify="left" if column.startswith("县") else "right")
    import json
    for summary in summaries:
        region = json.loads((summary.out / "demo.json").read_text(encoding="utf-8"))["region"]
        table.add_row(summary.county, region, str(summary.households), str(summary.persons),
                      str(sum(summary.planted.values())))
    out.print(table)
    out.print(f"下一步 next: recon run --data {args.out} --out OUT --as-of {args.as_of} --config {args.out}/recon.yaml")
    return 0


def print_demo_summary(summary) -> None:
    """What a new user needs to know about the drop just written, on stdout."""
    from checks.rules.run import load_catalog
    out = Console()
    out.print(f"[bold]示例数据已写入 demo drop written[/bold]: {summary.out}")
    out.print(f"县 county: {summary.county}   户数 households: {summary.households}   人数 persons: {summary.persons}"
              f"   截至 as-of: {summary.as_of:%Y-%m-%d}   seed: {summary.seed}")
    titles = {code: rule.title for code, rule in load_catalog().items()}
    table = Table(title="埋入的问题 planted findings (answer_key.csv)", show_edge=False)
    for column, justify in (("规则 rule", "left"), ("名称 title", "left"), ("数量 findings", "right")):
        table.add_column(column, justify=justify)
    for code, count in summary.planted.items():
        table.add_row(code, titles.get(code, ""), str(count))
    table.add_row("合计 total", "", str(sum(summary.planted.values())), style="bold")
    out.print(table)
    out.print(f"下一步 next: recon run --data {summary.out} --out OUT --as-of {summary.as_of:%Y-%m-%d}")

def command_rules(args) -> int:
    """The catalog as the config makes it, on stdout. Imports no Dagster: a
    clerk looking up a rule should not wait for the asset graph."""
    from checks.rules.catalog import catalog_table
    table = catalog_table(load_settings(args.config))
    {"table": print_rules_table, "csv": print_rules_csv, "markdown": print_rules_markdown}[args.format](table)
    return 0


def print_rules_table(table) -> None:
    shown = Table(title="规则目录 / rule catalog", show_lines=False)
    for column in table.columns:
        # Long texts fold onto more lines, never cut off with …: a truncated title or setting misleads.
        shown.add_column(column, no_wrap=column in ("code", "group", "severity", "enabled"), overflow="fold")
    for row in table.itertuples(index=False):
        shown.add_row(*(("true" if value else "false") if isinstance(value, bool) else str(value) for value in row))
    out = Console()
    # Redirected to a file, rich would assume 80 columns and fold every title.
    (out if out.is_terminal else Console(width=RULES_TABLE_WIDTH)).print(shown)


def print_rules_csv(table) -> None:
    text = table.assign(enabled=table["enabled"].map({True: "true", False: "false"})).to_csv(
        index=False, lineterminator="\n")
    write_utf8(text)


def print_rules_markdown(table) -> None:
    from recon.markdown import markdown_table
    write_utf8(markdown_table(table))


def write_utf8(text: str) -> None:
    """Text on stdout as UTF-8 whatever the console's code page (a GBK
    console would otherwise turn the catalog's Chinese into an error)."""
    stream = sys.stdout
    if (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8" and hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8")
    stream.write(text)
    stream.flush()


def command_ui(args) -> int:
    """`dagster dev` on the code location of pipelines.definitions (no
    workspace file needed: it works from an installed package) and on the
    instance `recon run --out OUT` records into; replaces this process."""
    import signal
    import subprocess

    from pipelines.instance import instance_home, prepare_home
    data = args.data or Path(os.environ.get("RECON_DATA_DIR") or "demo_drop")
    out = args.out or Path(os.environ.get("RECON_OUT_DIR") or "out")
    home = prepare_home(instance_home(out))
    env = {**os.environ, "DAGSTER_HOME": str(home), "RECON_DATA_DIR": str(data.resolve()),
           "RECON_OUT_DIR": str(out.resolve())}
    for name, value in (("RECON_AS_OF", args.as_of), ("RECON_CONFIG", args.config and str(args.config.resolve())),
                        ("RECON_DATABASE_URL", args.db)):
        if value:
            env[name] = value
    command = [sys.executable, "-m", "dagster", "dev", "-m", "pipelines.definitions",
               "-h", args.host, "-p", str(args.port)]
    console.print(f"[bold]recon ui[/bold] http://{args.host}:{args.port}  (DAGSTER_HOME {home})")
    sys.stdout.flush(); sys.stderr.flush()
    if os.name != "posix":
        return subprocess.call(command, env=env)
    # Started in the background by a script, a shell hands INT/TERM on ignored, and
    # dagster dev would then outlive a `kill`: restore them as `env --default-signal` does.
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)
    os.execve(sys.executable, command, env)
    return 0   # not reached


def command_worker(args) -> int:
    from pipelines.engines import broker_url, shown_broker
    from pipelines.worker import run_worker
    broker = broker_url(args.broker)
    concurrency = args.concurrency or os.cpu_count() or 1
    console.print(f"[bold]recon worker[/bold] {shown_broker(broker)}  ({concurrency} at a time)")
    return run_worker(broker, concurrency, args.name)


COMMANDS = {"run": command_run, "rules": command_rules, "demo": command_demo, "ui": command_ui,
            "worker": command_worker}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageProblem as exc:
        print(f"recon: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
