"""The generator writes the public format exactly, deterministically, with planted segments."""

from __future__ import annotations

import csv
import filecmp
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import ROOT
from user_segmentation.cli import main
from user_segmentation.input_format import COLUMNS, HEADERS, INTERESTS, LEVELS
from user_segmentation_tools.generator import NOISE_SD, RANGES, SEGMENTS, SIX_SEGMENTS

SEED_CSV = ROOT / "seeds" / "raw_user_profiles.csv"
TRUTH_CSV = ROOT / "tests" / "fixtures" / "sample_truth.csv"


def test_committed_seed_is_the_generator_output(tmp_path: Path) -> None:
    out, truth = tmp_path / "sample.csv", tmp_path / "truth.csv"
    assert main(["generate", "--rows", "1000", "--seed", "42", "--out", str(out), "--truth", str(truth)]) == 0
    assert filecmp.cmp(out, SEED_CSV, shallow=False), "seeds/raw_user_profiles.csv differs: run make seed-sample"
    assert filecmp.cmp(truth, TRUTH_CSV, shallow=False)


def test_seed_follows_the_public_format() -> None:
    raw = SEED_CSV.read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")
    raw.decode("ascii")
    with SEED_CSV.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == HEADERS
    body = rows[1:]
    assert len(body) == 1000
    assert [int(r[0]) for r in body] == list(range(1, 1001))
    for column, levels in LEVELS.items():
        index = [name for _, name in COLUMNS].index(column)
        assert {r[index] for r in body} == set(levels), column
    numeric = {
        "likes_and_reactions": 6,
        "followed_accounts": 7,
        "weekday_hours_online": 9,
        "weekend_hours_online": 10,
        "click_through_rate": 11,
        "conversion_rate": 12,
        "ad_interaction_seconds": 13,
    }
    for column, index in numeric.items():
        low, high, decimals = RANGES[column]
        values = [r[index] for r in body]
        assert all(low <= float(v) <= high for v in values), column
        if decimals == 0:
            assert all(v.isdigit() for v in values), column
        elif decimals == 1:
            assert all(len(v.split(".")[1]) == 1 for v in values), column
        else:
            assert all(1 <= len(v.split(".")[1]) <= decimals for v in values), column
    for r in body:
        items = r[15].split(", ")
        assert 1 <= len(items) <= 4 and len(set(items)) == len(items)
        assert set(items) <= set(INTERESTS)
    multi = [line for line in raw.decode().splitlines()[1:] if line.count(",") > 15]
    assert multi and all(line.endswith('"') for line in multi), "multi-interest lists are quoted"


def test_truth_has_every_planted_segment(tmp_path: Path) -> None:
    con = duckdb.connect()
    shares = dict(
        con.execute(f"select planted_segment, count(*) / 1000 from read_csv('{TRUTH_CSV}') group by 1").fetchall()
    )
    assert sorted(shares) == list(range(1, len(SEGMENTS) + 1))
    for index, planted in enumerate(SEGMENTS, start=1):
        assert abs(shares[index] - planted.share) < 0.06


def test_parquet_output_matches_csv_values(tmp_path: Path) -> None:
    main(["generate", "--rows", "2500", "--seed", "3", "--out", str(tmp_path / "a.parquet")])
    main(["generate", "--rows", "2500", "--seed", "3", "--out", str(tmp_path / "a.csv")])
    con = duckdb.connect()
    differing = con.execute(
        f"select count(*) from (select * from read_parquet('{tmp_path}/a.parquet') "
        f"except select * from read_csv('{tmp_path}/a.csv'))"
    ).fetchall()[0][0]
    assert differing == 0


def test_different_seeds_differ_and_bad_arguments_are_refused(tmp_path: Path, capsys) -> None:
    main(["generate", "--rows", "50", "--seed", "1", "--out", str(tmp_path / "one.csv")])
    main(["generate", "--rows", "50", "--seed", "2", "--out", str(tmp_path / "two.csv")])
    assert (tmp_path / "one.csv").read_bytes() != (tmp_path / "two.csv").read_bytes()
    assert main(["generate", "--rows", "5", "--out", str(tmp_path / "x.json")]) == 2
    assert "unknown output format" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["generate", "--rows", "many", "--out", str(tmp_path / "x.csv")])


def test_six_segments_are_planted_apart(tmp_path: Path, capsys) -> None:
    out, truth = tmp_path / "six.csv", tmp_path / "six_truth.csv"
    assert (
        main(
            ["generate", "--rows", "3000", "--seed", "7", "--segments", "6", "--out", str(out)]
            + ["--truth", str(truth)]
        )
        == 0
    )
    con = duckdb.connect()
    shares = dict(
        con.execute(f"select planted_segment, count(*) / 3000 from read_csv('{truth}') group by 1").fetchall()
    )
    total = sum(planted.share for planted in SIX_SEGMENTS)
    assert sorted(shares) == list(range(1, 7))
    for index, planted in enumerate(SIX_SEGMENTS, start=1):
        assert abs(shares[index] - planted.share / total) < 0.04
    # The first four are the default set; every pair of centres is far apart against the noise.
    assert SIX_SEGMENTS[:4] == SEGMENTS
    centres = [[planted.centre[column] for column in RANGES] for planted in SIX_SEGMENTS]
    gaps = [
        sum((a - b) ** 2 for a, b in zip(x, y, strict=True)) ** 0.5
        for i, x in enumerate(centres)
        for y in centres[i + 1 :]
    ]
    assert min(gaps) > 10 * NOISE_SD
    # Users of each planted segment sit around their own centre (mean weekday hours, say).
    means = dict(
        con.execute(
            f"select planted_segment, avg(p.\"Time Spent Online (hrs/weekday)\") from read_csv('{out}') as p "
            f"join read_csv('{truth}') as t on t.user_id = p.\"User ID\" group by 1"
        ).fetchall()
    )
    low, high, _ = RANGES["weekday_hours_online"]
    for index, planted in enumerate(SIX_SEGMENTS, start=1):
        assert abs(means[index] - (low + planted.centre["weekday_hours_online"] * (high - low))) < 0.25
    # Only 4 or 6; and the logs are planted with the four.
    with pytest.raises(SystemExit):
        main(["generate", "--rows", "10", "--segments", "5", "--out", str(out)])
    assert (
        main(
            [
                "generate",
                "--rows",
                "10",
                "--segments",
                "6",
                "--out",
                str(out),
                "--interactions",
                str(tmp_path / "e.csv"),
            ]
        )
        == 2
    )
    assert "the logs are planted with 4" in capsys.readouterr().err
