"""The ``user-segmentation`` command: generate data, render the report, export audience files, score
new users with the published model, query the published warehouse as CSV, run the benchmark.

``report``, ``export``, ``score`` and ``query`` are run-time code. ``generate`` and ``bench`` are
development tools from the separate package :mod:`user_segmentation_tools`, imported only when
they run; without the ``tools`` (or ``dev``) extra they stop with a one-line message.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

__all__ = ["ToolsMissingError", "main"]

TOOLS_HINT = "pip install -e '.[tools]' (make install installs it)"


class ToolsMissingError(RuntimeError):
    """A development-tool command ran without the ``tools`` extra installed."""


def _tool(name: str) -> ModuleType:
    """``user_segmentation_tools.<name>``, or a one-line error naming the missing module."""
    try:
        return importlib.import_module(f"user_segmentation_tools.{name}")
    except ModuleNotFoundError as err:
        raise ToolsMissingError(
            f"needs the development tools (module {err.name!r} is not installed); install them with: {TOOLS_HINT}"
        ) from None


def _generate(args: argparse.Namespace) -> int:
    generate = _tool("generator").generate
    logs = bool(args.interactions or args.transactions)
    if not logs and (args.events_per_user is not None or args.as_of is not None):
        raise ValueError("--events-per-user and --as-of need --interactions or --transactions")
    if logs and args.segments != 4:
        raise ValueError("--segments 6 plants segments in the profiles only: the logs are planted with 4")
    if logs:
        activity = _tool("activity")
        events_per_user = activity.DEFAULT_EVENTS_PER_USER if args.events_per_user is None else args.events_per_user
        as_of = args.as_of or activity.DEFAULT_AS_OF
        others = [Path(args.out)] + ([Path(args.truth)] if args.truth else [])
        activity.check_activity_options(events_per_user, as_of, args.interactions, args.transactions, others)

    started = time.perf_counter()
    truth = Path(args.truth) if args.truth else None
    rows = generate(
        args.rows, args.seed, Path(args.out), truth, profile_noise=args.profile_noise, segments=args.segments
    )
    print(
        f"wrote {rows:,} rows to {args.out} in {time.perf_counter() - started:.1f} s"
        + (f" (truth: {args.truth})" if args.truth else "")
        + (" (profiles without segment signal)" if args.profile_noise else "")
    )
    if logs:
        started = time.perf_counter()
        counts = activity.generate_activity(
            args.rows,
            args.seed,
            Path(args.interactions) if args.interactions else None,
            Path(args.transactions) if args.transactions else None,
            events_per_user=events_per_user,
            as_of=as_of,
        )
        written = [f"{counts.events:,} events to {args.interactions}"] if args.interactions else []
        written += [f"{counts.orders:,} orders to {args.transactions}"] if args.transactions else []
        print(
            f"wrote {' and '.join(written)} in {time.perf_counter() - started:.1f} s"
            f" ({counts.users_without_events:,} users without events, {counts.users_without_orders:,} without orders)"
        )
    return 0


def _report(args: argparse.Namespace) -> int:
    from .report import ReportError, render_report

    try:
        profiles = Path(args.profiles_dir) / "profiles.yml" if args.target == "spark" else None
        out = render_report(Path(args.db), Path(args.out), profiles)
    except ReportError as err:
        print(f"user-segmentation report: {err}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .audience_export import ExportError, export_audiences, parse_segment_ids

    try:
        result = export_audiences(
            Path(args.db),
            Path(args.out),
            segments=parse_segment_ids(args.segment) if args.segment else None,
            file_format=args.format,
            hash_algorithm=args.hash,
            salt_env=args.salt_env,
        )
    except ExportError as err:
        print(f"user-segmentation export: {err}", file=sys.stderr)
        return 2
    for refused in result.refused:
        print(
            f"user-segmentation export: segment {refused.segment_id} ({refused.segment_name!r}) not exported: "
            f"{refused.reason} (listed as refused in {result.out / 'manifest.json'})",
            file=sys.stderr,
        )
    users = sum(f.count for f in result.files)
    print(f"wrote {len(result.files)} audience files ({users:,} users) and manifest.json to {result.out}")
    return 0


def _to_stdout(command: str, write: Callable[[], object], error: type[Exception]) -> int:
    """Run ``write`` (which prints to standard output): exit 2 with one line on ``error``, 0 when
    the reader stopped early (``| head``)."""
    try:
        write()
        sys.stdout.flush()
    except error as err:
        print(f"user-segmentation {command}: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader stopped early: not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python's advice: no second error at exit
    return 0


def _score(args: argparse.Namespace) -> int:
    from .scoring import ScoringError, load_model, score_file

    return _to_stdout(
        "score",
        lambda: score_file(load_model(Path(args.db), args.model), args.file, sys.stdout, args.encoding),
        ScoringError,
    )


def _query(args: argparse.Namespace) -> int:
    from .warehouse_query import QueryError, write_query_csv

    if args.target == "spark":
        from .spark_query import write_spark_query_csv

        profiles = Path(args.profiles_dir) / "profiles.yml"
        return _to_stdout("query", lambda: write_spark_query_csv(args.sql, sys.stdout, profiles), QueryError)
    return _to_stdout("query", lambda: write_query_csv(Path(args.db), args.sql, sys.stdout), QueryError)


def _bench(args: argparse.Namespace) -> int:
    if args.score and args.events_per_user:
        raise ValueError("--events-per-user does not apply to --score")
    if args.score:
        return _tool("bench_score").run_score_benchmark(
            Path(args.db) if args.db else None, Path(args.cache), rows=args.score_rows, calls=args.calls
        )
    run_benchmark = _tool("bench").run_benchmark

    sizes = [int(part.replace("_", "")) for part in args.rows.split(",") if part.strip()]
    return run_benchmark(
        sizes,
        Path(args.out) if args.out else None,
        Path(args.cache),
        recipe=not args.no_recipe,
        full_fit_check=args.full_fit_check,
        events_per_user=args.events_per_user,
        engines=tuple(part.strip() for part in args.engine.split(",") if part.strip()),
    )


def _add_target_arguments(command: argparse.ArgumentParser) -> None:
    """--target and --profiles-dir: which engine's tables a reading command reads."""
    command.add_argument(
        "--target",
        choices=["local", "spark"],
        default="local",
        help="local: the published DuckDB warehouse (--db); spark: the tables of dbt's spark target",
    )
    command.add_argument(
        "--profiles-dir",
        default=os.environ.get("DBT_PROFILES_DIR", "."),
        help="where profiles.yml is, for --target spark (default: DBT_PROFILES_DIR or .)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="user-segmentation", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="write synthetic profiles in the public format")
    gen.add_argument("--rows", type=int, required=True)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--out", required=True, help=".csv or .parquet")
    gen.add_argument("--truth", help="also write the planted segment of each user (.csv or .parquet)")
    gen.add_argument(
        "--segments", type=int, choices=[4, 6], default=4, help="how many segments to plant in the profiles (default 4)"
    )
    gen.add_argument("--interactions", help="also write an event log of the same users (.csv or .parquet)")
    gen.add_argument("--transactions", help="also write an order log of the same users (.csv or .parquet)")
    gen.add_argument("--events-per-user", type=float, metavar="N", help="mean events per user in the logs (default 50)")
    gen.add_argument(
        "--profile-noise",
        action="store_true",
        help="profiles without segment signal (one segment-free distribution): the segments are only in the logs",
    )
    gen.add_argument(
        "--as-of", metavar="TIME", help="every event and order is before this (default 2026-11-30T00:00:00Z)"
    )
    gen.set_defaults(func=_generate)

    rep = commands.add_parser("report", help="render the static HTML report from the marts")
    rep.add_argument("--db", default=os.environ.get("SEGMENTATION_DB", "warehouse/segmentation.duckdb"))
    rep.add_argument("--out", default="reports/output/segment_report.html")
    _add_target_arguments(rep)
    rep.set_defaults(func=_report)

    exp = commands.add_parser("export", help="write one file of user ids per segment, with a manifest")
    exp.add_argument("--db", default=os.environ.get("SEGMENTATION_DB", "warehouse/segmentation.duckdb"))
    exp.add_argument("--out", required=True, help="the folder to write (created, or an earlier export replaced)")
    exp.add_argument(
        "--segment",
        nargs="+",
        action="extend",
        metavar="ID",
        help="only these segment ids (default: every segment with at least min_cell_users users)",
    )
    exp.add_argument("--format", default="csv", metavar="{csv,parquet}", help="file format (default csv)")
    exp.add_argument("--hash", metavar="sha256", help="write sha256(salt || user_id as text) instead of the ids")
    exp.add_argument("--salt-env", metavar="NAME", help="the environment variable that holds the salt (with --hash)")
    exp.set_defaults(func=_export)

    score = commands.add_parser("score", help="label new users with the published model (CSV on standard output)")
    score.add_argument(
        "--db",
        default=os.environ.get("SEGMENTATION_DB", "warehouse/segmentation.duckdb"),
        help="the published warehouse (default: SEGMENTATION_DB or warehouse/segmentation.duckdb)",
    )
    score.add_argument("--model", metavar="ID", help="a model_id of segmentation_models (default: the latest)")
    score.add_argument("--encoding", help="a CSV file's encoding, as vars.input_encoding (default utf-8)")
    score.add_argument(
        "file",
        metavar="FILE|-",
        help="CSV, Parquet or JSON lines (.jsonl) in the public format; - reads standard input",
    )
    score.set_defaults(func=_score)

    query = commands.add_parser(
        "query", help="run one SQL query on the published warehouse (CSV with a header on standard output)"
    )
    query.add_argument("sql", help='the query, e.g. "select segment_id, count(*) from dim_users group by 1"')
    query.add_argument("--db", default=os.environ.get("SEGMENTATION_DB", "warehouse/segmentation.duckdb"))
    _add_target_arguments(query)
    query.set_defaults(func=_query)

    bench = commands.add_parser("bench", help="time the pipeline and the tutorial recipe")
    bench.add_argument("--rows", default="1000,1000000,10000000")
    bench.add_argument("--out", help="write the table as Markdown here (and JSON beside it)")
    bench.add_argument("--cache", default=".bench-cache")
    bench.add_argument("--no-recipe", action="store_true", help="skip the tutorial recipe (e.g. at 100M rows)")
    bench.add_argument(
        "--full-fit-check",
        action="store_true",
        help="at the largest size, also fit K-Means on all users to compare inertia (slow)",
    )
    bench.add_argument(
        "--events-per-user",
        type=float,
        default=0.0,
        metavar="E",
        help="also generate event and order logs with E events per user on average, build with them and time "
        "the pandas baseline of the activity features on them (default 0: the profiles alone)",
    )
    bench.add_argument(
        "--engine",
        default="duckdb",
        metavar="duckdb,spark",
        help="the engines to build on, comma-separated (default duckdb; spark: --target spark on local[2], "
        "measured before DuckDB on the same files)",
    )
    bench.add_argument(
        "--score",
        action="store_true",
        help="instead: time scoring with the published model (one record warm, and --score-rows records)",
    )
    bench.add_argument("--db", help="with --score: the warehouse (default: a fresh build of the embedded sample)")
    bench.add_argument("--score-rows", type=int, default=1_000_000, help="with --score: the batch size timed")
    bench.add_argument("--calls", type=int, default=1000, help="with --score: one-record calls timed")
    bench.set_defaults(func=_bench)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, OSError, ToolsMissingError) as err:
        print(f"user-segmentation {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
