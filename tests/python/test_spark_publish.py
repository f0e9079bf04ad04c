"""Write, audit, publish on Spark (python/user_segmentation/spark_publish.py), on a local Spark
catalog: readers see the previous publication or the new one, whole, wherever the publish stops.

Needs the Spark extra (`make install-spark`, which `.ci/run` runs) and Java; without them these
tests skip and say why.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from tests.python.spark_support import require_spark

require_spark()

from user_segmentation.spark_publish import (  # noqa: E402 - after the skip
    POINTER,
    Relation,
    current_publication,
    publish,
    rewrite_view_text,
)

BUILD, SEEDS, PUBLISHED = "wap__build", "wap__build_seeds", "wap"
RELATIONS = (
    Relation(BUILD, "users", "table"),
    Relation(SEEDS, "levels", "seed"),
    Relation(BUILD, "user_levels", "view"),
)


class Killed(Exception):
    """Stands for the build being killed at one statement of the publish."""


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory):
    from pyspark.sql import SparkSession

    folder = tmp_path_factory.mktemp("spark")
    session = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", str(folder / "warehouse"))
        .config("spark.local.dir", str(folder / "scratch"))
        .config("spark.hadoop.javax.jdo.option.ConnectionURL", f"jdbc:derby:;databaseName={folder}/ms;create=true")
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={folder}")
        .enableHiveSupport()
        .getOrCreate()
    )
    yield session
    session.stop()


def runner(spark, kill_at: int | None = None):
    """One statement at a time, as the adapter runs them; raises Killed at statement ``kill_at``."""
    count = {"n": 0}

    def sql(text: str) -> list[tuple]:
        count["n"] += 1
        if kill_at is not None and count["n"] == kill_at:
            raise Killed(text)
        return [tuple(row) for row in spark.sql(text).collect()]

    sql.count = count  # type: ignore[attr-defined]
    return sql


def build(spark, version: str, extra_column: bool = False) -> None:
    """What `dbt build` leaves in the build schema: a table, a seed and a view over both."""
    for relation in RELATIONS:
        spark.sql(f"create schema if not exists {relation.schema}")
        for kind in ("view", "table"):
            with contextlib.suppress(Exception):  # the other kind
                spark.sql(f"drop {kind} if exists {relation.schema}.{relation.name}")
    extra = ", 1 as added" if extra_column else ""
    spark.sql(
        f"create table {BUILD}.users using parquet as select id, '{version}' as version{extra} from range(3) as r"
    )
    spark.sql(f"create table {SEEDS}.levels using parquet as select 'low' as level, '{version}' as version")
    spark.sql(
        f"create view {BUILD}.user_levels as select users.id, levels.level, users.version "
        f"from {BUILD}.users cross join {SEEDS}.levels"
    )


def readers_see(spark) -> set[str]:
    """The versions the published relations show (one value: a whole publication)."""
    seen = set()
    for relation in RELATIONS:
        rows = spark.sql(f"select distinct version from {PUBLISHED}.{relation.name}").collect()
        seen |= {row[0] for row in rows}
    return seen


def reset(spark) -> None:
    for schema in (BUILD, SEEDS, PUBLISHED):
        spark.sql(f"drop schema if exists {schema} cascade")


def test_a_publish_shows_the_build_and_keeps_the_build_schema_usable(spark) -> None:
    reset(spark)
    build(spark, "a")
    said = publish(runner(spark), PUBLISHED, RELATIONS, "run-a")
    assert said.startswith("Published: schema wap")
    assert readers_see(spark) == {"a"}
    assert spark.sql(f"select count(*) from {PUBLISHED}.user_levels").collect()[0][0] == 3
    pointer = current_publication(runner(spark), PUBLISHED)
    assert (pointer.number, {r.key for r in pointer.relations}) == (1, {r.key for r in RELATIONS})
    assert spark.sql(f"select run_id from {PUBLISHED}.{POINTER}").collect()[0][0] == "run-a"
    # A partial run finds the build relations (views over the snapshot; the seed stays a table).
    assert spark.sql(f"select count(*) from {BUILD}.user_levels").collect()[0][0] == 3
    views = {row[1] for row in spark.sql(f"show views in {BUILD}").collect()}
    assert {"users", "user_levels", "user_levels__p1"} <= views
    assert not {row[1] for row in spark.sql(f"show views in {SEEDS}").collect()}  # dbt seeds into tables only

    build(spark, "b", extra_column=True)
    publish(runner(spark), PUBLISHED, RELATIONS, "run-b")
    assert readers_see(spark) == {"b"}
    assert "added" in spark.table(f"{PUBLISHED}.users").columns
    names = {row[1] for schema in (BUILD, SEEDS) for row in spark.sql(f"show tables in {schema}").collect()}
    assert not any(name.endswith("__p1") for name in names), names  # publication 1's snapshots dropped
    assert {row[1] for row in spark.sql(f"show tables in {PUBLISHED}").collect()} == {
        POINTER,
        "users",
        "levels",
        "user_levels",
    }


def test_a_publish_stopped_at_any_statement_leaves_one_whole_publication(spark) -> None:
    # Each stopped publish starts from what the one before it left (the next build publishes over
    # leftovers of a stopped snapshot, stage or tidy), and every other build changes the columns.
    reset(spark)
    build(spark, "a")
    full = runner(spark)
    publish(full, PUBLISHED, RELATIONS, "run-a")
    published = "a"
    for kill_at in range(1, full.count["n"] + 1):  # type: ignore[attr-defined]
        version = f"v{kill_at}"
        build(spark, version, extra_column=kill_at % 2 == 0)
        with pytest.raises(Killed):
            publish(runner(spark, kill_at), PUBLISHED, RELATIONS, f"run-{version}")
        seen = readers_see(spark)
        assert seen in ({published}, {version}), f"stopped at statement {kill_at}: readers see {seen}"
        published = seen.pop()
    build(spark, "last")
    publish(runner(spark), PUBLISHED, RELATIONS, "run-last")
    assert readers_see(spark) == {"last"}
    leftovers = {
        f"{schema}.{row[1]}"
        for schema in (BUILD, SEEDS)
        for row in spark.sql(f"show tables in {schema}").collect()
        if "__p" in row[1]
    }
    number = current_publication(runner(spark), PUBLISHED).number
    assert leftovers == {f"{relation.key}__p{number}" for relation in RELATIONS}


def test_a_view_reads_the_snapshots() -> None:
    text = (
        "select a.id, levels.level from wap__build.users as a join `wap__build_seeds`.`levels` on true "
        "join other.users join wap__build.users_x join wap__build.users u2 join (select * from wap__build.users)"
    )
    relations = [Relation("wap__build", "users"), Relation("wap__build_seeds", "levels")]
    assert rewrite_view_text(text, relations, 4) == (
        "select a.id, levels.level from wap__build.users__p4 as a "
        "join `wap__build_seeds`.`levels__p4` as `levels` on true "
        "join other.users join wap__build.users_x join wap__build.users__p4 u2 "
        "join (select * from wap__build.users__p4 as users)"
    )


def test_nothing_published_reads_as_publication_zero(spark, tmp_path: Path) -> None:
    spark.sql("create schema if not exists wap_empty")
    assert current_publication(runner(spark), "wap_empty").number == 0
