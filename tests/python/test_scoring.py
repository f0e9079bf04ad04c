"""Scoring new users with the published model reproduces the SQL pipeline exactly.

One real ``dbt build`` (module fixture) of the embedded sample written as a file: every row of
the seed, ten of them re-spelled (levels in other cases and with spaces, ``HİNDİ``, numbers as
`` 763 ``, ``+3.5``, ``7_63``, interests reordered and upper-cased: the same values), then
bad rows appended (non-numeric age, missing and non-integer ids, out-of-range numbers,
hostile text, duplicates), which staging rejects. The valid users are exactly the sample's
1,000. Against that build: :meth:`Model.score` gives every valid user the segment, distance,
runner-up and margin of ``int_labelled_users`` / ``dim_users``, and every rejected row the
reason of ``rejected_user_profiles``; the engineered features and z-values equal the SQL's.
One ``dbt compile --inline`` renders the staging macros (typing, rejection reasons) and the
z-value macro for feature kinds the default model does not use (log1p, indicators, interest
count), and the mirror agrees with them on a corpus of odd values. The CLI is run on a file
and on standard input, and on its errors. No timing is asserted (``bench --score`` measures).
"""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from tests.python.conftest import BIN, ROOT, DbtRun, dbt_env, run_dbt, yaml_string
from user_segmentation import sql_mirror
from user_segmentation.cli import main
from user_segmentation.input_format import COLUMNS, HEADERS, LEVELS, NUMERIC_RULES
from user_segmentation.scoring import OUTPUT_COLUMNS, Model, ScoringError, load_model

pytestmark = pytest.mark.dbt

SEED = ROOT / "seeds" / "raw_user_profiles.csv"


def seed_rows() -> list[list[str]]:
    with SEED.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))[1:]


def col(header: str) -> int:
    return HEADERS.index(header)


def _underscored(number: str) -> str:
    return number[0] + "_" + number[1:] if number.isdigit() and len(number) > 1 else number


# Equivalent spellings: the same value as the seed's, written another way (row index -> changes).
RESPELL = {
    "Location": lambda v: f"  {v.lower()} ",
    "Gender": str.upper,
    "Language": lambda v: v.upper().replace("I", "İ"),  # DuckDB's lower() folds İ to i: HİNDİ is Hindi
    "Education Level": lambda v: f"\t{v.upper()}\n",
    "Device Usage": lambda v: v.lower(),
    "Likes and Reactions": lambda v: f" {v} ",
    "Followed Accounts": _underscored,  # DuckDB reads 7_63 as 763
    "Time Spent Online (hrs/weekday)": lambda v: f"+{v}",
    "Time Spent Online (hrs/weekend)": lambda v: f"{v}0" if "." in v else v,
    "Top Interests": lambda v: ",, ".join(item.upper() for item in reversed(v.split(", "))) + ", " + v.split(", ")[0],
}


def bad_rows(template: list[str]) -> list[list[str]]:
    """Rows staging rejects (new ids except the duplicates), each for the reasons named."""

    def row(user_id: str, **changes: str) -> list[str]:
        out = list(template)
        out[col("User ID")] = user_id
        for header, value in changes.items():
            out[col(header.replace("_", " "))] = value
        return out

    return [
        row("990001", Age="twenty"),  # non-numeric age
        row(""),  # missing user id
        row("abc"),
        row("12.5"),
        row("990005", **{"Time Spent Online (hrs/weekday)": "30", "Click-Through Rates (CTR)": "12.5"}),
        row("990006", Likes_and_Reactions="-5", Followed_Accounts="3.5"),
        row("990007", Conversion_Rates="", **{"Ad Interaction Time (sec)": "inf"}),
        row("990008", Conversion_Rates="nan(1)", Likes_and_Reactions="+-3"),  # DuckDB's own spellings
        row("990009", Gender="Moon", Location="O'Reilly'); drop table dim_users; --"),
        row("990010", Device_Usage="x" * 100),
        row("990011", Age="   "),
        row("990012", **{"Click-Through Rates (CTR)": "\u00a00.1"}),  # a no-break space: not a number to DuckDB
        row("990013", **{"Click-Through Rates (CTR)": "١"}),  # an Arabic digit: not a number to DuckDB
        row("990014", Income_Level="", Education_Level="Kindergarten"),
        row("990050", Likes_and_Reactions="100"),
        row("990050", Likes_and_Reactions="200"),  # conflicting copies of 990050
        list(template),  # an exact copy of a sample row: the repeat is rejected, the first kept
    ]


@dataclass
class Build:
    run: DbtRun
    data: Path
    model: Model

    def records(self) -> tuple[pd.DataFrame, np.ndarray]:
        """The file's records as staging read them (raw text), and their record numbers."""
        raw = self.run_df("select * from base_user_profiles__records order by source_row_number")
        frame = pd.DataFrame({header: raw[f"raw_{name}"] for header, name in COLUMNS})
        return frame, raw["source_row_number"].to_numpy()

    def run_df(self, sql: str) -> pd.DataFrame:
        con = duckdb.connect(str(self.run.db), read_only=True)
        try:
            return con.sql(sql).df()
        finally:
            con.close()


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Build:
    work = tmp_path_factory.mktemp("scoring")
    rows = seed_rows()
    for index, (header, respell) in enumerate(RESPELL.items()):
        for row in rows[index * 10 : index * 10 + 10]:
            row[col(header)] = respell(row[col(header)])
    rows += bad_rows(seed_rows()[10])
    data = work / "users.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    run = run_dbt(work / "w.duckdb", "build", vars_yaml="{input_path: " + yaml_string(str(data)) + "}")
    assert run.returncode == 0, run.output[-4000:]
    return Build(run, data, load_model(run.db))


def test_the_build_has_exactly_the_samples_users_and_rejects_every_bad_row(build: Build) -> None:
    assert build.run.scalar("select count(*) from stg_user_profiles") == 1000
    assert build.run.scalar("select count(*) from rejected_user_profiles") == len(bad_rows(seed_rows()[10]))
    assert build.model.model_id == build.run.scalar(
        "select model_id from segmentation_models order by created_at desc limit 1"
    )


def _labels(build: Build) -> pd.DataFrame:
    return build.run_df(
        "select user_id, segment_id, segment_name, distance_to_centroid, runner_up_segment_id, margin_to_runner_up "
        "from dim_users"
    )


def _assert_labels_equal(scored: pd.DataFrame, expected: pd.DataFrame) -> None:
    joined = scored.merge(expected, on="user_id", how="inner", suffixes=("", "_sql"))
    assert len(joined) == len(expected)
    assert (joined["segment_id"] == joined["segment_id_sql"]).all()
    assert (joined["runner_up_segment_id"] == joined["runner_up_segment_id_sql"]).all()
    assert np.allclose(joined["distance"], joined["distance_to_centroid"], rtol=0, atol=1e-9)
    assert np.allclose(joined["margin"], joined["margin_to_runner_up"], rtol=0, atol=1e-9)


def test_the_embedded_samples_raw_rows_get_the_builds_labels(build: Build) -> None:
    raw = pd.read_csv(SEED, dtype=str, keep_default_na=False)
    scored = build.model.score(raw)
    assert list(scored.columns) == list(OUTPUT_COLUMNS)
    assert scored["reason"].isna().all() and scored["segment_id"].notna().all()
    _assert_labels_equal(scored, _labels(build))
    # The names are the model's (before overrides): for this build, dim_users' names.
    joined = scored.merge(_labels(build), on="user_id", suffixes=("", "_sql"))
    assert (joined["segment_name"] == joined["segment_name_sql"]).all()


def test_the_files_records_get_the_builds_labels_and_the_quarantines_reasons(build: Build) -> None:
    records, numbers = build.records()
    scored = build.model.score(records, row_numbers=numbers)
    scored["source_row_number"] = numbers
    valid = scored[scored["reason"].isna()]
    _assert_labels_equal(valid, _labels(build))  # the re-spelled rows included
    rejected = build.run_df("select source_row_number, rejection_summary from rejected_user_profiles")
    bad = scored[scored["reason"].notna()]
    assert sorted(bad["source_row_number"]) == sorted(rejected["source_row_number"])
    joined = bad.merge(rejected, on="source_row_number")
    assert (joined["reason"] == joined["rejection_summary"]).all(), joined[["reason", "rejection_summary"]]
    assert joined[["segment_id", "segment_name", "runner_up_segment_id"]].isna().all().all()
    assert joined[["distance", "margin"]].isna().all().all()
    # Every kind of reason was exercised.
    codes = set(build.run_df("select unnest(rejection_codes) as code from rejected_user_profiles")["code"])
    assert codes >= {"missing_value", "not_an_integer", "not_a_number", "not_a_whole_number", "negative"}
    assert codes >= {"out_of_range", "unknown_level", "exact_duplicate", "conflicting_duplicate"}


def test_engineered_features_and_z_values_equal_the_sqls(build: Build) -> None:
    records, _ = build.records()
    checked = build.model.typed(records)
    users = pd.DataFrame({"user_id": checked.typed.user_ids()[0][checked.valid]})
    for name in sql_mirror.ENGINEERED:
        value = sql_mirror.feature_value(checked.typed, "numeric", name, None, "none")
        users[name] = value[checked.valid]
    z = build.model.weighted_z(records)[checked.valid].reset_index(drop=True)
    for feature in build.model.feature_names:
        users[f"z_{feature}"] = z[feature]
    sql = build.run_df("select * from dim_users").merge(build.run_df("select * from int_feature_matrix"), on="user_id")
    joined = users.merge(sql, on="user_id", suffixes=("", "_sql"))
    assert len(joined) == 1000
    for name in sql_mirror.ENGINEERED:
        assert np.array_equal(joined[name], joined[f"{name}_sql"].astype(float)), name
    for feature in build.model.feature_names:
        assert np.allclose(joined[f"z_{feature}"], joined[f"z_{feature}_sql"], rtol=0, atol=1e-12), feature


def _record(**changes) -> dict:
    record = dict(zip(HEADERS, seed_rows()[0], strict=True))
    record.update({header.replace("_", " "): value for header, value in changes.items()})
    return record


def test_bad_records_give_reasons_and_typed_values_are_read(build: Build) -> None:
    records = [
        _record(Age="forty"),
        _record(**{"User ID": None}),
        _record(**{"User ID": "1e30"}),  # whole, but no bigint id: not an integer, as in the build
        _record(**{"User ID": 77, "Likes and Reactions": 763, "Click-Through Rates (CTR)": 0.008}),  # typed values
        _record(**{"User ID": 78, "Conversion Rates": float("nan")}),  # pandas' missing value
        {key: value for key, value in _record(**{"User ID": "79"}).items() if key != "Age"} | {"age": "25-34"},
    ]
    scored = build.model.score(records)
    assert scored["reason"].tolist()[:3] == [
        "age: unknown level: 'forty'",
        "user_id: missing",
        "user_id: not a whole number: '1e30'",
    ]
    assert scored["user_id"].tolist()[:3] == [1, pd.NA, pd.NA]
    assert pd.isna(scored["reason"].iloc[3]) and scored["user_id"].iloc[3] == 77
    reference = build.model.score([_record()])
    assert scored["distance"].iloc[3] == reference["distance"].iloc[0]
    assert scored["reason"].iloc[4] == "conversion_rate: missing"
    assert pd.isna(scored["reason"].iloc[5])  # "age" is the Age column (headers matched as staging does)
    assert scored[["segment_id", "distance"]].iloc[:3].isna().all().all()
    with pytest.raises(ScoringError, match=r"missing required columns 'Age', 'Gender'"):
        build.model.score([{k: v for k, v in _record().items() if k not in ("Age", "Gender")}])


def test_scoring_standardises_with_the_models_own_statistics(build: Build) -> None:
    raw = pd.read_csv(SEED, dtype=str, keep_default_na=False)
    shifted = raw.copy()
    shifts = {"Likes and Reactions": 3000, "Followed Accounts": 200, "Ad Interaction Time (sec)": 60}
    for header, shift in shifts.items():
        shifted[header] = (shifted[header].astype(float) + shift).map(repr)
    model = build.model
    row = build.run_df(f"select * from segmentation_models where model_id = '{model.model_id}'").iloc[0]
    stats = dict(zip(row["features"], zip(row["means"], row["sds"], row["weights"], strict=True), strict=True))
    z = model.weighted_z(shifted)
    for header, name in COLUMNS:
        if header in shifts and name in stats:
            mean, sd, weight = stats[name]
            expected = (shifted[header].astype(float) - mean) / sd * weight
            assert np.allclose(z[name], expected, rtol=0, atol=1e-12)
            # The new data's own mean is far from the model's: its z-values are not centred.
            assert z[name].mean() == pytest.approx(shifts[header] / sd * weight, abs=0.05)
    # Labels from the model's standardisation, against a refit of the standardisation on the
    # new data: that would re-centre the shifted users, undo the shift, and give them their
    # old labels; the model's standardisation moves many of them.
    scored = model.score(shifted)
    before = model.score(raw)["segment_id"].to_numpy()
    own = np.column_stack([z[f] for f in model.feature_names])
    weights = np.array([stats[f][2] for f in model.feature_names])

    def nearest(matrix: np.ndarray) -> np.ndarray:  # over the clustered features (the others: w = 0)
        terms = (matrix[:, None, :] * model.clustered - model.centroids[None]) ** 2
        return model.segment_ids[terms.sum(axis=2).argmin(axis=1)]

    assert (nearest(own) == scored["segment_id"].to_numpy()).all()
    restandardised = (own - own.mean(axis=0)) / own.std(axis=0) * weights
    refit = nearest(restandardised)
    assert (refit == before).mean() > 0.99
    assert (refit != scored["segment_id"].to_numpy()).mean() > 0.1
    assert (before != scored["segment_id"].to_numpy()).mean() > 0.1


# ---------------------------------------------------------------- the mirror against the macros


def _number_corpus(seed: int = 5, count: int = 4000) -> list[str | None]:
    picked = [
        *["", " ", "\t", " 1", "1 ", "+1", "-1", ".5", "5.", "1e5", "1E5", "1e", "inf", "-inf", "Infinity", "nan"],
        *["NaN", "nan(1)", "-nan(x)", "+-1", "+-inf", "1_000", "1__0", "_1", "1,5", "0x10", "١", "１", "\u00a01"],
        *["1\u2003", "\x0b1", "\x0c1", "1e400", "-1e400", "1e-400", "-0", "00012.50", "+.5", "-.5e-3", "12.5 %"],
        *["1e30", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "3.5", "24", "24.0001"],
        None,
    ]
    rng = random.Random(seed)
    alphabet = "0123456789.eE+-_ \tinfaNx,"
    picked += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(count)]
    return picked


def _level_corpus() -> list[str | None]:
    values: list[str | None] = [None, "", "  ", "Moon", "17-", "x" * 80, "O'Reilly'); drop table dim_users; --"]
    for levels in LEVELS.values():
        for level in levels:
            values += [level, level.upper(), level.lower(), f" {level}\t", f"\n{level.lower()} ", level + "x"]
            values += [level.upper().replace("I", "İ"), level.replace("k", "\u212a"), f"\u00a0{level}"]
    return values


def _interest_corpus() -> list[str | None]:
    return [
        *[None, "", ", ,", "Gaming", "gaming", " GAMING ,Gaming", "Gaming, Travel and Adventure", "Knitting"],
        *["Knitting, knitting, Gaming", "<script>alert(1)</script>", "Gaming,,Pet Care, ", "DİY Crafts", "b, a, B"],
    ]


def _corpus_table(rows: int = 6000) -> pa.Table:
    """Raw records whose every column cycles through a corpus of odd values (valid ones included)."""
    numbers, levels, interests = _number_corpus(), _level_corpus(), _interest_corpus()
    rng = random.Random(11)
    data = {"source_row_number": list(range(1, rows + 1))}
    for _header, name in COLUMNS:
        pool = interests if name == "top_interests" else levels if name in LEVELS else numbers
        data[f"raw_{name}"] = [rng.choice(pool) for _ in range(rows)]
    return pa.table({k: pa.array(v, pa.int64() if k == "source_row_number" else pa.string()) for k, v in data.items()})


# Non-default feature kinds, with arbitrary statistics (one constant feature: sd 0).
OTHER_FEATURES = [
    ("likes_and_reactions", "numeric", "likes_and_reactions", None, "log1p", 0.5, 7.5, 1.2),
    ("likes_per_followed_account", "numeric", "likes_per_followed_account", None, "log1p", 1.0, 2.0, 0.8),
    ("interest_count", "numeric", "interest_count", None, "none", 1.5, 2.5, 1.1),
    ("conversions_per_impression", "numeric", "conversions_per_impression", None, "none", 1.0, 0.005, 0.004),
    ("weekend_share_of_time", "numeric", "weekend_share_of_time", None, "none", 2.0, 0.4, 0.0),
    ("weekday_hours_online", "numeric", "weekday_hours_online", None, "none", 1.0, 3.0, 1.5),
    ("gender__female", "indicator", "gender", "Female", "none", 2.0, 0.5, 0.5),
    ("income_level__100kplus", "indicator", "income_level", "100k+", "none", 0.7, 0.2, 0.4),
]

INLINE = """
{%- set specs = fromjson(specs_json) -%}
{%- set typing -%}
select typed.source_row_number, typed.user_id_number,
{%- for dimension in profile_levels() %} typed.{{ dimension }}::varchar as {{ dimension }},{% endfor %}
{%- for column, minimum, maximum, whole, hint in numeric_checks() %} typed.{{ column }},{% endfor %}
    typed.interest_mask, typed.other_interests,
    {{ value_rejection_reasons() }} as reasons
from ({{ typed_user_rows('corpus') }}) as typed
{%- endset -%}
{%- set z -%}
select features.user_id
{%- for spec in specs %}, {{ z_value_sql(spec, loop.index) }} as z{{ loop.index }}{% endfor %}
from {{ ref('int_user_features').include(database=False) }} as features
cross join (select {% for spec in specs -%}
    {{ spec.mean }}::double as mean_{{ loop.index }},
    {{ spec.sd }}::double as sd_{{ loop.index }}{{ ',' if not loop.last }}
{%- endfor %}) as stats
{%- endset -%}
{{ tojson({'typing': typing, 'z': z}) }}
"""


@pytest.fixture(scope="module")
def macros(tmp_path_factory) -> dict[str, str]:
    """The staging and z macros rendered by dbt (one ``dbt compile --inline``)."""
    specs = [
        {"name": n, "kind": k, "source_column": s, "level": lv, "transform": t, "weight": w, "mean": m, "sd": sd}
        for n, k, s, lv, t, w, m, sd in OTHER_FEATURES
    ]
    inline = "{%- set specs_json = " + json.dumps(json.dumps(specs)) + " -%}" + INLINE
    work = tmp_path_factory.mktemp("macros")
    done = subprocess.run(
        [str(BIN / "dbt"), "compile", "--quiet", "--inline", inline],
        cwd=ROOT,
        env=dbt_env(work / "w.duckdb"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _summary(reasons: list[dict] | None) -> str | None:
    return None if reasons is None else "; ".join(f"{r['column']}: {r['detail']}" for r in reasons)


def test_typing_and_reasons_equal_the_staging_macros_on_odd_values(macros) -> None:
    corpus = _corpus_table()
    con = duckdb.connect()
    con.register("corpus", corpus)
    sql = con.sql(macros["typing"] + " order by source_row_number").to_arrow_table()  # nulls apart from NaN
    con.close()
    raw = {name: corpus.column(f"raw_{name}").combine_chunks() for _, name in COLUMNS}
    for start, stop in ((0, len(sql)), *((i, i + 50) for i in range(0, 600, 50))):  # one batch, then small ones
        part = {name: column.slice(start, stop - start) for name, column in raw.items()}
        expected = sql.slice(start, stop - start)
        typed = sql_mirror.type_records(part)
        for column in ("user_id_number", *NUMERIC_RULES):
            number, null = (
                (typed.user_id_number, typed.user_id_null)
                if column == "user_id_number"
                else (typed.numbers[column], typed.number_null[column])
            )
            values = expected.column(column)
            assert null.tolist() == values.is_null().to_pylist(), column
            assert np.array_equal(number, values.to_numpy(zero_copy_only=False), equal_nan=True), column
        for dimension, levels in LEVELS.items():
            names = [levels[c] if c >= 0 else None for c in typed.levels[dimension]]
            assert names == expected.column(dimension).to_pylist(), dimension
        interests = typed.interests
        assert interests.masks.tolist() == expected.column("interest_mask").to_pylist()
        others = [interests.others(i) for i in range(len(expected))]
        assert others == [None if v is None else tuple(v) for v in expected.column("other_interests").to_pylist()]
        # The one difference: a whole count outside the 64-bit range, on which the build's
        # ::bigint stops (likes and followed accounts); scoring rejects the record. (An id that
        # large is not_an_integer in both.)
        reasons = sql_mirror.value_reasons(typed)
        outside = {i for i, found in reasons.items() if any("64-bit" in detail for _, _, detail in found)}
        whole = [typed.numbers[c] for c, rule in NUMERIC_RULES.items() if rule.whole]
        with np.errstate(invalid="ignore"):
            low, high = sql_mirror.INT64_RANGE
            big = np.any([np.isfinite(v) & (v == np.floor(v)) & ((v < low) | (v >= high)) for v in whole], axis=0)
        assert outside == set(np.flatnonzero(big).tolist())
        mirrored = [
            (sql_mirror.reason_summary([r for r in reasons[i] if "64-bit" not in r[2]]) or None)
            if i in reasons
            else None
            for i in range(len(expected))
        ]
        assert mirrored == [_summary(v) for v in expected.column("reasons").to_pylist()]


def test_other_feature_kinds_equal_the_z_macro(build: Build, macros) -> None:
    """log1p, indicators, the interest count and the other engineered features, through
    z_value_sql, on the build's users; the model row is the mart's with these features."""
    con = duckdb.connect(str(build.run.db), read_only=True)
    sql = con.sql(macros["z"]).df()
    con.close()
    names = [f[0] for f in OTHER_FEATURES]
    row = dict(build.model.row) | {
        "features": names,
        "clustered_features": names,
        "feature_kinds": [f[1] for f in OTHER_FEATURES],
        "source_columns": [f[2] for f in OTHER_FEATURES],
        "feature_levels": [f[3] for f in OTHER_FEATURES],
        "transforms": [f[4] for f in OTHER_FEATURES],
        "weights": [f[5] for f in OTHER_FEATURES],
        "means": [f[6] for f in OTHER_FEATURES],
        "sds": [f[7] for f in OTHER_FEATURES],
        "centroids_weighted_z": [[0.0] * len(names), [1.0] * len(names)],
        "segment_ids": [1, 2],
        "segment_names": ["a", "b"],
    }
    model = Model.from_row(row)
    records, _ = build.records()
    z = model.weighted_z(records)
    z["user_id"] = model.typed(records).typed.user_ids()[0]
    joined = z.dropna().merge(sql, on="user_id")
    assert len(joined) == 1000
    for position, name in enumerate(names, start=1):
        assert np.allclose(joined[name], joined[f"z{position}"].astype(float), rtol=0, atol=1e-12), name
    assert (joined["weekend_share_of_time"] == 0).all()  # sd 0: a constant feature
    scored = model.score(records)
    assert scored["segment_id"].notna().sum() == 1000


def test_model_rows_that_scoring_cannot_use_are_refused(build: Build) -> None:
    row = dict(build.model.row)
    with pytest.raises(ScoringError, match="kind 'categorical'"):
        Model.from_row(row | {"feature_kinds": ["categorical"] * len(row["features"])})
    with pytest.raises(ScoringError, match="means has 1 entries"):
        Model.from_row(row | {"means": [0.0]})


# ---------------------------------------------------------------- the command


def _cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "user-segmentation"), "score", *args], input=stdin, capture_output=True, timeout=300
    )


def _read_output(text: bytes) -> pd.DataFrame:
    return pd.read_csv(
        io.BytesIO(text), dtype={"user_id": "Int64", "segment_id": "Int32", "runner_up_segment_id": "Int32"}
    )


def test_the_command_scores_a_csv_file_as_the_api_does(build: Build) -> None:
    done = _cli("--db", str(build.run.db), str(build.data))
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()
    out = _read_output(done.stdout)
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    records, numbers = build.records()
    api = build.model.score(records, row_numbers=numbers)
    assert len(out) == len(api)
    assert out["segment_id"].equals(api["segment_id"]) and out["user_id"].equals(api["user_id"])
    assert np.allclose(out["distance"], api["distance"], rtol=0, atol=1e-12, equal_nan=True)
    assert out["reason"].fillna("").tolist() == api["reason"].fillna("").tolist()
    _assert_labels_equal(out.dropna(subset=["segment_id"]), _labels(build))


def test_the_command_reads_csv_and_json_lines_from_standard_input(build: Build) -> None:
    raw = pd.read_csv(SEED, dtype=str, keep_default_na=False).head(50)
    expected = build.model.score(raw)
    as_csv = _cli("--db", str(build.run.db), "-", stdin=raw.to_csv(index=False).encode())
    typed = pd.read_csv(SEED).head(50)  # JSON numbers as numbers
    lines = "\n".join(json.dumps(r) for r in typed.to_dict("records")).encode()
    as_json = _cli("--db", str(build.run.db), "--model", build.model.model_id, "-", stdin=lines)
    for done in (as_csv, as_json):
        assert done.returncode == 0, done.stderr.decode()
        out = _read_output(done.stdout)
        assert out["segment_id"].equals(expected["segment_id"])
        assert np.allclose(out["distance"], expected["distance"], rtol=0, atol=1e-12)


def test_the_command_reads_parquet_with_typed_columns(build: Build, tmp_path: Path) -> None:
    typed = pd.read_csv(SEED)  # User ID, likes, hours, rates: numbers
    assert typed["User ID"].dtype.kind == "i" and typed["Click-Through Rates (CTR)"].dtype.kind == "f"
    path = tmp_path / "users.parquet"
    typed.to_parquet(path)
    done = _cli("--db", str(build.run.db), str(path))
    assert done.returncode == 0, done.stderr.decode()
    _assert_labels_equal(_read_output(done.stdout), _labels(build))


def test_the_command_refuses_with_one_line_and_exit_2(build: Build, tmp_path: Path, capsys) -> None:
    db = str(build.run.db)
    missing_column = tmp_path / "short.csv"
    missing_column.write_text("User ID,Age\n1,25-34\n", encoding="utf-8")
    not_json = tmp_path / "bad.jsonl"
    not_json.write_text('{"User ID": 1}\n[1, 2]\n', encoding="utf-8")
    cases = {
        ("--db", str(tmp_path / "none.duckdb"), str(build.data)): "no warehouse at",
        ("--db", str(build.data), str(build.data)): "is not a DuckDB warehouse",
        ("--db", db, "--model", "0000000000000000", str(build.data)): build.model.model_id,
        ("--db", db, str(tmp_path / "nothing.csv")): "nothing.csv",
        ("--db", db, str(missing_column)): "missing required columns 'Gender'",
        ("--db", db, str(not_json)): "line 2 is not a JSON object",
        ("--db", db, str(tmp_path)): str(tmp_path),
    }
    for args, needle in cases.items():
        assert main(["score", *args]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and needle in err and err.startswith("user-segmentation score: "), err
    done = _cli("--db", db, "--model", "nope", str(build.data))  # a real process: no traceback
    assert done.returncode == 2 and done.stdout == b""
    err = done.stderr.decode().strip()
    assert err.splitlines() == [
        f"user-segmentation score: model 'nope' is not in segmentation_models; the published models are: "
        f"{build.model.model_id}"
    ]


def test_a_warehouse_without_models_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    with pytest.raises(ScoringError, match="no segmentation_models table"):
        load_model(db)
    con = duckdb.connect(str(db))
    con.execute("create table segmentation_models (model_id varchar, created_at timestamp)")
    con.close()
    with pytest.raises(ScoringError, match="no published model"):
        load_model(db)


def test_the_sql_mirror_is_imported_by_scoring_only() -> None:
    """One place: no other run-time module restates the staging rules."""
    users = [
        p.name
        for p in (ROOT / "python" / "user_segmentation").glob("*.py")
        if "sql_mirror" in p.read_text(encoding="utf-8") and p.name != "sql_mirror.py"
    ]
    assert users == ["scoring.py"]
    assert sys.modules.get("user_segmentation.sql_mirror") is sql_mirror
