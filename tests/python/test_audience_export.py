"""Audience files (``user-segmentation export``) from one real build of the embedded sample.

Every export reads the session's ``sample_warehouse`` (one ``dbt build``); the refusals that
need another warehouse state (a larger ``min_cell_users``, mixed builds, an inconsistent
count, a ``model_id`` column) run on copies of that file with one statement applied, so no
second build is needed.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import DbtRun
from user_segmentation.audience_export import ExportError, ExportResult, export_audiences
from user_segmentation.cli import main

pytestmark = pytest.mark.dbt

# A salt with a quote, SQL and a non-ASCII letter: it is a bound value, never SQL text.
SALT = "pepper-\u00fc'; drop table dim_users; --"
OTHER_SALT = "another salt"
ENV = {"AUDIENCE_SALT": SALT, "OTHER_SALT": OTHER_SALT}
HEX64 = re.compile(rb"[0-9a-f]{64}")


def _copy_with(source: Path, target: Path, *statements: str) -> Path:
    """A copy of the built warehouse (dbt has exited) with some SQL applied."""
    shutil.copy(source, target)
    con = duckdb.connect(str(target))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()
    return target


def _sha256_id(salt: str, user_id: int) -> str:
    return hashlib.sha256((salt + str(user_id)).encode("utf-8")).hexdigest()


def _csv_values(path: Path) -> tuple[str, list[str]]:
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    return header, rows


def _parquet(path: Path) -> tuple[list[tuple[str, str]], list]:
    con = duckdb.connect()
    try:
        rel = con.sql("select * from read_parquet($path)", params={"path": str(path)})
        return list(zip(rel.columns, [str(t) for t in rel.types], strict=True)), [r[0] for r in rel.fetchall()]
    finally:
        con.close()


def _leftovers(parent: Path) -> list[str]:
    """Temporary folders an export left beside its output."""
    return sorted(p.name for p in parent.iterdir() if p.name.endswith((".partial", ".previous")))


def _one_line_error(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("user-segmentation export: ") and "Traceback" not in captured.err
    return lines[0]


@pytest.fixture(scope="module")
def segments(sample_warehouse: DbtRun) -> dict[int, tuple[str, int]]:
    """dim_segments: id -> (name, users)."""
    rows = sample_warehouse.query("select segment_id, segment_name, users from dim_segments order by segment_id")
    return {segment_id: (name, users) for segment_id, name, users in rows}


@pytest.fixture(scope="module")
def members(sample_warehouse: DbtRun) -> dict[int, list[int]]:
    """dim_users: segment id -> its user ids, sorted."""
    out: dict[int, list[int]] = {}
    for segment_id, user_id in sample_warehouse.query(
        "select segment_id, user_id from dim_users where segment_id is not null order by segment_id, user_id"
    ):
        out.setdefault(segment_id, []).append(user_id)
    return out


@pytest.fixture(scope="module")
def exports(sample_warehouse: DbtRun, tmp_path_factory) -> dict[str, ExportResult]:
    """The exports the tests read: plain and hashed, CSV and Parquet, two with the same salt."""
    root = tmp_path_factory.mktemp("exports")
    db = sample_warehouse.db

    def hashed(name: str, env: str, file_format: str = "csv") -> ExportResult:
        return export_audiences(
            db, root / name, file_format=file_format, hash_algorithm="sha256", salt_env=env, environ=ENV
        )

    return {
        "csv": export_audiences(db, root / "csv"),
        "parquet": export_audiences(db, root / "parquet", file_format="parquet"),
        "hashed": hashed("hashed", "AUDIENCE_SALT"),
        "hashed_again": hashed("hashed_again", "AUDIENCE_SALT"),
        "other_salt": hashed("other_salt", "OTHER_SALT"),
        "hashed_parquet": hashed("hashed_parquet", "AUDIENCE_SALT", "parquet"),
    }


@pytest.fixture(scope="module")
def probe_ids(members: dict[int, list[int]], segments: dict[int, tuple[str, int]]) -> list[int]:
    """Several user ids of every segment that no number in a manifest can equal: three digits (no part
    of the timestamp or of a run id has three digits), and no segment's count or id."""
    taken = {users for _, users in segments.values()} | set(segments)
    return [i for ids in members.values() for i in [x for x in ids if 100 <= x <= 999 and x not in taken][:4]]


# ---------------------------------------------------------------- files and counts


def test_files_hold_each_segment_sorted_and_counts_add_up(sample_warehouse: DbtRun, exports, segments, members) -> None:
    result = exports["csv"]
    in_segments = sample_warehouse.scalar("select count(*) from dim_users where segment_id is not null")
    assert sum(f.count for f in result.files) == in_segments == sum(len(ids) for ids in members.values())
    assert {f.segment_id: f.count for f in result.files} == {i: users for i, (_, users) in segments.items()}
    assert sorted(p.name for p in result.out.iterdir()) == sorted(
        ["manifest.json", *(f"segment_{i}.csv" for i in segments)]
    )
    for f in result.files:
        header, rows = _csv_values(result.out / f.file)
        assert header == "user_id"
        assert [int(r) for r in rows] == members[f.segment_id]  # sorted, every user of the segment
        assert f.segment_name == segments[f.segment_id][0]
    assert result.refused == []
    assert _leftovers(result.out.parent) == []


def test_manifest_fields_and_checksums(sample_warehouse: DbtRun, exports, segments) -> None:
    for name in ("csv", "parquet", "hashed", "hashed_parquet"):
        result = exports[name]
        manifest = json.loads((result.out / "manifest.json").read_text(encoding="utf-8"))
        assert manifest == result.manifest
        assert manifest["run_id"] == sample_warehouse.scalar("select any_value(run_id) from dim_segments")
        columns = {r[0] for r in sample_warehouse.query("describe segmentation_runs")}
        expected_model = (
            sample_warehouse.scalar(f"select model_id from segmentation_runs where run_id = '{manifest['run_id']}'")
            if "model_id" in columns
            else None
        )
        assert manifest["model_id"] == expected_model
        created = datetime.fromisoformat(manifest["created_at"])
        assert created.utcoffset().total_seconds() == 0 and abs(datetime.now(UTC) - created).total_seconds() < 3600
        assert manifest["format"] == ("parquet" if "parquet" in name else "csv")
        assert manifest["min_cell_users"] == 10  # the sample's build (dbt_project.yml), read from the warehouse
        assert [f["segment_id"] for f in manifest["files"]] == sorted(segments)
        for f in manifest["files"]:
            assert set(f) == {"segment_id", "segment_name", "count", "file", "sha256"}
            assert f["file"] == f"segment_{f['segment_id']}.{manifest['format']}"
            assert f["sha256"] == hashlib.sha256((result.out / f["file"]).read_bytes()).hexdigest()
            assert (f["segment_name"], f["count"]) == segments[f["segment_id"]]
        assert manifest["refused"] == []
    assert exports["csv"].manifest["hashing"] is None and exports["csv"].manifest["column"] == "user_id"
    hashing = exports["hashed"].manifest["hashing"]
    assert hashing["algorithm"] == "sha256" and hashing["salt_env"] == "AUDIENCE_SALT"
    assert exports["hashed"].manifest["column"] == "user_id_sha256"


def test_parquet_holds_the_same_ids(exports, members) -> None:
    for f in exports["parquet"].files:
        schema, values = _parquet(exports["parquet"].out / f.file)
        assert schema == [("user_id", "BIGINT")]
        assert values == members[f.segment_id]
    for f in exports["hashed_parquet"].files:
        schema, values = _parquet(exports["hashed_parquet"].out / f.file)
        assert schema == [("user_id_sha256", "VARCHAR")]
        _, csv_rows = _csv_values(exports["hashed"].out / f"segment_{f.segment_id}.csv")
        assert values == csv_rows == sorted(csv_rows)


# ---------------------------------------------------------------- hashing


def test_hashes_are_salted_sha256_of_the_id_as_text(exports, members) -> None:
    for f in exports["hashed"].files:
        header, rows = _csv_values(exports["hashed"].out / f.file)
        assert header == "user_id_sha256" and len(rows) == f.count
        assert all(HEX64.fullmatch(r.encode()) for r in rows)
        assert rows == sorted(rows)  # sorted by hash: the order says nothing about the ids
        ids = members[f.segment_id]
        assert set(rows) == {_sha256_id(SALT, i) for i in ids}
        for user_id in (ids[0], ids[len(ids) // 2], ids[-1]):  # a few, computed here with hashlib
            assert _sha256_id(SALT, user_id) in rows


def test_same_salt_same_hashes_other_salt_other_hashes(exports) -> None:
    same, again, other = exports["hashed"], exports["hashed_again"], exports["other_salt"]
    assert [f.sha256 for f in same.files] == [f.sha256 for f in again.files]
    for f in same.files:
        first = (same.out / f.file).read_bytes()
        assert first == (again.out / f.file).read_bytes()
        assert not set(_csv_values(same.out / f.file)[1]) & set(_csv_values(other.out / f.file)[1])


def test_no_plain_id_or_salt_in_hashed_files_or_manifest(exports, probe_ids: list[int]) -> None:
    assert len(probe_ids) >= 8
    for name in ("hashed", "hashed_parquet", "other_salt"):
        out = exports[name].out
        for path in sorted(out.iterdir()):
            data = path.read_bytes()
            assert SALT.encode() not in data and OTHER_SALT.encode() not in data
            if path.suffix == ".parquet":
                continue  # compressed: its values and metadata are checked below
            for user_id in probe_ids:
                # A whole token: the digits of an id inside a hash are surrounded by hex digits.
                assert not re.search(rb"(?<![0-9a-f])%d(?![0-9a-f])" % user_id, data), (path.name, user_id)
    # Parquet: one text column of hashes, and nothing else in the file's metadata.
    plain_ids = {str(user_id) for user_id in probe_ids}
    for f in exports["hashed_parquet"].files:
        path = exports["hashed_parquet"].out / f.file
        _, values = _parquet(path)
        assert all(HEX64.fullmatch(v.encode()) for v in values) and not plain_ids & set(values)
        con = duckdb.connect()
        try:
            meta = con.execute(
                "select stats_min, stats_max, key_value_metadata from parquet_metadata($path)", {"path": str(path)}
            ).fetchall()
        finally:
            con.close()
        assert all(
            HEX64.fullmatch(low.encode()) and HEX64.fullmatch(high.encode()) and not kv for low, high, kv in meta
        )
    # The check finds ids where they are: the plain export holds every test id.
    plain = b"".join(p.read_bytes() for p in exports["csv"].out.glob("segment_*.csv"))
    assert all(re.search(rb"(?m)^%d$" % user_id, plain) for user_id in probe_ids)


# ---------------------------------------------------------------- refusals


def test_small_segments_are_refused_with_the_builds_threshold(sample_warehouse: DbtRun, segments, tmp_path, capsys):
    smallest = min(segments, key=lambda i: segments[i][1])
    threshold = segments[smallest][1] + 1
    assert sorted(users for _, users in segments.values())[1] >= threshold, "only the smallest is below it"
    db = _copy_with(
        sample_warehouse.db,
        tmp_path / "cells.duckdb",
        f"update segmentation_runs set settings_json = json_merge_patch(settings_json, "
        f"'{{\"min_cell_users\": {threshold}}}')::varchar",
    )
    # Every segment: the small one is skipped, said on stderr and listed as refused in the manifest.
    out = tmp_path / "all"
    assert main(["export", "--db", str(db), "--out", str(out)]) == 0
    warning = _one_line_error(capsys)
    assert f"segment {smallest} " in warning and f"{segments[smallest][1]:,} users" in warning
    assert f"min_cell_users = {threshold}" in warning
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["min_cell_users"] == threshold
    assert [f["segment_id"] for f in manifest["files"]] == sorted(set(segments) - {smallest})
    assert manifest["refused"] == [
        {
            "segment_id": smallest,
            "segment_name": segments[smallest][0],
            "count": segments[smallest][1],
            "reason": f"{segments[smallest][1]:,} users, fewer than min_cell_users = {threshold}",
        }
    ]
    assert not (out / f"segment_{smallest}.csv").exists()
    # Asked for by id (alone or with others): the whole export is refused, nothing written.
    other = next(i for i in segments if i != smallest)
    for asked in ([smallest], [other, smallest]):
        out = tmp_path / f"asked_{len(asked)}"
        argv = ["export", "--db", str(db), "--out", str(out), *[a for i in asked for a in ("--segment", str(i))]]
        assert main(argv) == 2
        message = _one_line_error(capsys)
        assert f"segment {smallest} ({segments[smallest][0]!r}) has {segments[smallest][1]:,} users" in message
        assert f"fewer than min_cell_users = {threshold}" in message and str(db) in message
        assert not out.exists()
    # No segment large enough: nothing to export.
    everyone = sum(users for _, users in segments.values())
    db = _copy_with(
        db,
        tmp_path / "none.duckdb",
        f"update segmentation_runs set settings_json = json_merge_patch(settings_json, "
        f"'{{\"min_cell_users\": {everyone + 1}}}')::varchar",
    )
    assert main(["export", "--db", str(db), "--out", str(tmp_path / "none")]) == 2
    assert f"no segment in {db} has at least min_cell_users = {everyone + 1} users" in _one_line_error(capsys)
    assert not (tmp_path / "none").exists() and _leftovers(tmp_path) == []


def test_unknown_segment_id_is_refused(sample_warehouse: DbtRun, segments, tmp_path, capsys) -> None:
    unknown = max(segments) + 1
    out = tmp_path / "out"
    assert main(["export", "--db", str(sample_warehouse.db), "--out", str(out), "--segment", "1", str(unknown)]) == 2
    message = _one_line_error(capsys)
    assert f"unknown segment {unknown} (--segment)" in message and "dim_segments.segment_id" in message
    assert str(sample_warehouse.db) in message and ", ".join(map(str, segments)) in message
    assert main(["export", "--db", str(sample_warehouse.db), "--out", str(out), "--segment", "two"]) == 2
    assert "--segment 'two' is not a segment id" in _one_line_error(capsys)
    assert not out.exists()


def test_hashing_without_a_salt_is_refused(sample_warehouse: DbtRun, tmp_path, capsys, monkeypatch) -> None:
    out = tmp_path / "out"
    base = ["export", "--db", str(sample_warehouse.db), "--out", str(out)]
    assert main([*base, "--hash", "sha256"]) == 2
    assert "--hash sha256 needs --salt-env NAME" in _one_line_error(capsys)
    monkeypatch.delenv("AUDIENCE_TEST_SALT", raising=False)
    assert main([*base, "--hash", "sha256", "--salt-env", "AUDIENCE_TEST_SALT"]) == 2
    assert "AUDIENCE_TEST_SALT (--salt-env) is unset or empty" in _one_line_error(capsys)
    monkeypatch.setenv("AUDIENCE_TEST_SALT", "")
    assert main([*base, "--hash", "sha256", "--salt-env", "AUDIENCE_TEST_SALT"]) == 2
    assert "AUDIENCE_TEST_SALT (--salt-env) is unset or empty" in _one_line_error(capsys)
    assert main([*base, "--salt-env", "AUDIENCE_TEST_SALT"]) == 2
    assert "only used with --hash sha256" in _one_line_error(capsys)
    assert main([*base, "--hash", "md5", "--salt-env", "AUDIENCE_TEST_SALT"]) == 2
    assert "--hash 'md5' is not supported" in _one_line_error(capsys)
    assert not out.exists()


def test_tables_from_two_builds_are_refused(sample_warehouse: DbtRun, tmp_path) -> None:
    run_id = sample_warehouse.scalar("select any_value(run_id) from dim_segments")
    db = _copy_with(sample_warehouse.db, tmp_path / "mixed.duckdb", "update dim_segments set run_id = 'an-older-build'")
    with pytest.raises(ExportError) as err:
        export_audiences(db, tmp_path / "out")
    message = str(err.value)
    assert "an-older-build" in message and run_id in message and "dim_segments" in message
    assert "dim_users" in message and "segmentation_runs" in message and "dbt build" in message
    assert not (tmp_path / "out").exists() and _leftovers(tmp_path) == []


def test_a_failed_export_leaves_no_partial_set(sample_warehouse: DbtRun, exports, segments, tmp_path) -> None:
    last = max(segments)
    db = _copy_with(
        sample_warehouse.db,
        tmp_path / "bad.duckdb",
        f"update dim_segments set users = users + 1 where segment_id = {last}",
    )
    # New folder: the first files were written, the last segment's count is wrong: nothing appears.
    with pytest.raises(ExportError, match=rf"segment {last}: dim_users has .* dim_segments\.users says"):
        export_audiences(db, tmp_path / "new")
    assert not (tmp_path / "new").exists() and _leftovers(tmp_path) == []
    # Over an earlier export: it stays as it was; a good export then replaces it whole.
    earlier = tmp_path / "earlier"
    shutil.copytree(exports["csv"].out, earlier)
    before = {p.name: p.read_bytes() for p in earlier.iterdir()}
    with pytest.raises(ExportError):
        export_audiences(db, earlier, file_format="parquet")
    assert {p.name: p.read_bytes() for p in earlier.iterdir()} == before and _leftovers(tmp_path) == []
    export_audiences(sample_warehouse.db, earlier, file_format="parquet")
    assert sorted(p.name for p in earlier.iterdir()) == sorted(
        ["manifest.json", *(f"segment_{i}.parquet" for i in segments)]
    )
    assert _leftovers(tmp_path) == []
    # A folder with other content is never replaced.
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not empty and holds no manifest.json"):
        export_audiences(sample_warehouse.db, tmp_path / "other")
    assert [p.name for p in (tmp_path / "other").iterdir()] == ["notes.txt"]


def test_model_id_is_written_when_segmentation_runs_has_it(sample_warehouse: DbtRun, tmp_path) -> None:
    db = tmp_path / "model.duckdb"
    shutil.copy(sample_warehouse.db, db)
    con = duckdb.connect(str(db))
    try:
        columns = {r[0] for r in con.execute("describe segmentation_runs").fetchall()}
        if "model_id" not in columns:
            con.execute("alter table segmentation_runs add column model_id varchar")
        con.execute("update segmentation_runs set model_id = 'model-abc'")
    finally:
        con.close()
    assert export_audiences(db, tmp_path / "out").manifest["model_id"] == "model-abc"


# ---------------------------------------------------------------- the command


def test_cli_writes_hashed_parquet(sample_warehouse: DbtRun, exports, segments, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AUDIENCE_TEST_SALT", SALT)
    out = tmp_path / "made" / "audiences"
    ids = sorted(segments)[:2]
    argv = ["export", "--db", str(sample_warehouse.db), "--out", str(out), "--format", "parquet"]
    argv += ["--hash", "sha256", "--salt-env", "AUDIENCE_TEST_SALT", "--segment", *map(str, ids)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and str(out) in captured.out and "2 audience files" in captured.out
    assert SALT not in captured.out
    manifest = json.loads((out / "manifest.json").read_text())
    assert [f["segment_id"] for f in manifest["files"]] == ids
    by_segment = {f.segment_id: f.sha256 for f in exports["hashed_parquet"].files}
    assert [f["sha256"] for f in manifest["files"]] == [by_segment[i] for i in ids]  # same salt, same bytes
    # The default warehouse is SEGMENTATION_DB, as for the report.
    monkeypatch.setenv("SEGMENTATION_DB", str(sample_warehouse.db))
    assert main(["export", "--out", str(tmp_path / "default")]) == 0
    assert (tmp_path / "default" / "manifest.json").is_file()
