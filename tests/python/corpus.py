"""A corpus of broken and hostile input files, each with the outcome the project promises.

Every file is generated here from 100 rows of the embedded sample (the project's own data),
so a reader sees exactly what is broken. ``CASES`` drives tests/python/test_input_corpus.py,
which runs the real ``dbt build --vars '{input_path: ...}'`` on each file in its own
warehouse. ``policy`` is the rule the case demonstrates; the README's policy table lists
every one of them (a test checks that).
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from user_segmentation.input_format import HEADERS

ROOT = Path(__file__).resolve().parents[2]
BASE_ROWS = 100


def build_file(run):
    """The run, reading the build file dbt wrote (a failed build is not published)."""
    return dataclasses.replace(run, db=Path(f"{run.db}.build"))


def sample_rows(count: int = BASE_ROWS) -> list[list[str]]:
    with (ROOT / "seeds" / "raw_user_profiles.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))[1 : count + 1]
    return rows


def to_csv(
    rows: list[list[str]],
    header: list[str] | tuple[str, ...] = HEADERS,
    delimiter: str = ",",
    line_end: str = "\n",
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def column(name: str) -> int:
    return HEADERS.index(name)


def with_value(row: list[str], header: str, value: str) -> list[str]:
    changed = list(row)
    changed[column(header)] = value
    return changed


def extra_user(user_id: int, **changes: str) -> list[str]:
    """A valid row (a copy of the first sample row) with a new id and the given changes."""
    row = with_value(sample_rows(1)[0], "User ID", str(user_id))
    for header, value in changes.items():
        row = with_value(row, header.replace("_", " "), value)
    return row


@dataclass
class Case:
    name: str
    problem: str
    policy: str
    write: Callable[[Path], Path]
    valid: int | None = None
    rejected: int | None = None
    reasons: dict[str, int] = field(default_factory=dict)
    error: list[str] = field(default_factory=list)
    vars: dict[str, str] = field(default_factory=dict)
    check: Callable | None = None

    @property
    def succeeds(self) -> bool:
        return not self.error


def text_file(name: str, text: str, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


def bytes_file(name: str, data: bytes) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return write


def base_plus(*rows: list[str]) -> str:
    return to_csv(sample_rows() + list(rows))


def _parquet(folder: Path) -> Path:
    import duckdb

    source = folder / "typed_source.csv"
    source.write_text(to_csv(sample_rows()))
    path = folder / "typed.parquet"
    duckdb.connect().execute(f"copy (select * from read_csv('{source}')) to '{path}' (format parquet)")
    return path


def _quoted_path(folder: Path) -> Path:
    odd = folder / 'it\'s "quoted"; drop table x; --'
    odd.mkdir()
    path = odd / "o'brien's users.csv"
    path.write_text(to_csv(sample_rows()))
    return path


def edited_record(record: int, edit: Callable[[str], str], count: int = BASE_ROWS) -> str:
    """The sample as CSV with the text of data record ``record`` (1-based) changed by ``edit``."""
    lines = to_csv(sample_rows(count)).split("\n")
    assert lines[record].startswith(f"{record},") and '"' in lines[record]
    lines[record] = edit(lines[record])
    return "\n".join(lines)


def without_closing_quote(line: str) -> str:
    return line[: line.rfind('"')] + line[line.rfind('"') + 1 :]


def with_opening_quote(line: str) -> str:
    fields = line.split(",")
    fields[2] = '"' + fields[2]
    return ",".join(fields)


def with_bare_cr(line: str) -> str:
    fields = line.split(",")
    fields[3] = fields[3][:2] + "\r" + fields[3][2:]
    return ",".join(fields)


def messages_fit_on_a_screen(run) -> bool:
    """No line of dbt's output is longer than a few hundred characters (no dumped content)."""
    return max(len(line) for line in run.output.splitlines()) < 600


CP1252_TEXT = "Gaming \u2013 \u201cCaf\u00e9\u201d \u2022 Reading"
CORRUPT_UTF8 = (
    base_plus(extra_user(901, Top_Interests="Caf\u00e9 Culture"), extra_user(902), extra_user(903))
    .encode()
    .replace(b"\n902,", b"\n902,\xff\xfe", 1)
)


ODD = extra_user(
    901,
    Age=" 25-34 ",
    Gender="FEMALE",
    Location=" urban ",
    Language="hindi",
    Top_Interests=" gaming ,GAMING,, pet care ",
)
HOSTILE_SQL = "O'Reilly'); drop table dim_users; --"
MANY_PROBLEMS = extra_user(
    950,
    Age="17-",
    Likes_and_Reactions="",
    Followed_Accounts="-5",
    **{
        "Time Spent Online (hrs/weekday)": "30",
        "Click-Through Rates (CTR)": "12.5",
        "Conversion Rates": "abc",
    },
)

CASES: list[Case] = [
    Case(
        "empty_file",
        "Empty file (0 bytes)",
        "Build stops: the file is empty",
        bytes_file("empty.csv", b""),
        error=["empty.csv", "is empty"],
    ),
    Case(
        "header_only",
        "Header only, no data rows",
        "Build stops: no valid users",
        text_file("header.csv", to_csv([])),
        error=["No valid users", "all 0 input rows"],
    ),
    Case(
        "missing_columns",
        "Required columns missing",
        "Build stops, naming every missing column",
        text_file(
            "cols.csv",
            to_csv(
                [r[:1] + r[2:14] + r[15:] for r in sample_rows()],
                header=[h for h in HEADERS if h not in ("Age", "Income Level")],
            ),
        ),
        error=["cols.csv", "missing required columns 'Age', 'Income Level'"],
    ),
    Case(
        "renamed_header",
        "Header spelled differently (`User_ID`, `age`)",
        "Matched ignoring case, spaces, underscores and punctuation (logged)",
        text_file("renamed.csv", to_csv(sample_rows(), header=["User_ID", "age", *HEADERS[2:]])),
        valid=100,
        rejected=0,
        check=lambda run: 'reading column "User_ID" as "User ID"' in run.output,
    ),
    Case(
        "extra_columns",
        "Extra columns",
        "Ignored, with a warning naming them",
        text_file(
            "extra.csv",
            to_csv([r + ["spring", "x"] for r in sample_rows()], header=[*HEADERS, "Campaign", "Notes"]),
        ),
        valid=100,
        rejected=0,
        check=lambda run: "ignoring extra column(s) Campaign, Notes" in run.output,
    ),
    Case(
        "utf8_bom",
        "UTF-8 byte-order mark",
        "Read as UTF-8",
        bytes_file("bom.csv", b"\xef\xbb\xbf" + base_plus().encode()),
        valid=100,
        rejected=0,
    ),
    Case(
        "crlf",
        "Windows line endings (CRLF)",
        "Read as usual",
        text_file("crlf.csv", to_csv(sample_rows(), line_end="\r\n")),
        valid=100,
        rejected=0,
    ),
    Case(
        "latin1",
        "Not UTF-8 (Latin-1)",
        "Build stops, naming the line; `input_encoding: latin-1` reads it",
        text_file("latin1.csv", base_plus(extra_user(901, Top_Interests="Caf\u00e9 Culture")), "latin-1"),
        error=["latin1.csv", "is not UTF-8 encoded", "Caf\u00e9 Culture", "input_encoding"],
    ),
    Case(
        "latin1_declared",
        "Latin-1 with `input_encoding: latin-1`",
        "Read as Latin-1",
        text_file("latin1ok.csv", base_plus(extra_user(901, Top_Interests="Caf\u00e9 Culture")), "latin-1"),
        valid=101,
        rejected=0,
        vars={"input_encoding": "latin-1"},
        check=lambda run: (
            run.scalar("select count(*) from stg_user_interests where interest = 'Caf\u00e9 Culture'") == 1
        ),
    ),
    Case(
        "semicolons",
        "Semicolon-delimited export with decimal commas",
        "Delimiter detected; decimal commas read",
        text_file("semi.csv", to_csv([[v.replace(".", ",") for v in r] for r in sample_rows()], delimiter=";")),
        valid=100,
        rejected=0,
        check=lambda run: run.scalar("select round(sum(weekday_hours_online), 1) from stg_user_profiles") > 0,
    ),
    Case(
        "embedded_newline",
        "Quoted field with a line break inside",
        "Read as one record; the break is trimmed",
        text_file("newline.csv", base_plus(extra_user(901, Top_Interests="Gaming,\nPet Care"))),
        valid=101,
        rejected=0,
        check=lambda run: (
            run.query("select interests from stg_user_profiles where user_id = 901") == [(["Gaming", "Pet Care"],)]
        ),
    ),
    Case(
        "truncated_last_line",
        "Truncated last line",
        "Quarantined as a malformed record",
        text_file("truncated.csv", base_plus() + "901,25-34,Fem"),
        valid=100,
        rejected=1,
        reasons={"malformed_record": 1},
        check=lambda run: run.scalar("select source_row_number from rejected_user_profiles") == 101,
    ),
    Case(
        "too_many_fields",
        "A record with more fields than the header",
        "Quarantined as a malformed record",
        text_file("toomany.csv", base_plus(extra_user(901) + ["surplus"])),
        valid=100,
        rejected=1,
        reasons={"malformed_record": 1},
    ),
    Case(
        "huge_field",
        "A 100 kB field",
        "Read; an unknown value is quarantined with a shortened quote",
        text_file("huge.csv", base_plus(extra_user(901, Location="x" * 100_000))),
        valid=100,
        rejected=1,
        reasons={"unknown_level": 1},
        check=lambda run: len(run.scalar("select rejection_summary from rejected_user_profiles")) < 200,
    ),
    Case(
        "exact_duplicates",
        "Exact duplicate rows",
        "First copy kept, the repeats quarantined",
        text_file("dups.csv", to_csv(sample_rows() + sample_rows(5))),
        valid=100,
        rejected=5,
        reasons={"exact_duplicate": 5},
    ),
    Case(
        "conflicting_duplicates",
        "Same `User ID` with different values",
        "Every copy quarantined",
        text_file("conflict.csv", base_plus(with_value(sample_rows(7)[6], "Likes and Reactions", "1"))),
        valid=99,
        rejected=2,
        reasons={"conflicting_duplicate": 2},
    ),
    Case(
        "missing_user_id",
        "Missing or non-integer `User ID`",
        "Quarantined",
        text_file(
            "ids.csv",
            base_plus(
                extra_user(0, User_ID=""),
                extra_user(0, User_ID="  "),
                extra_user(0, User_ID="abc"),
                extra_user(0, User_ID="12.5"),
            ),
        ),
        valid=100,
        rejected=4,
        reasons={"missing_value": 2, "not_an_integer": 2},
    ),
    Case(
        "bad_numbers",
        "Empty, non-numeric, negative, out-of-range numbers (hours 30, CTR 12.5 %)",
        "Quarantined with every reason that applies",
        text_file(
            "numbers.csv",
            base_plus(
                MANY_PROBLEMS,
                extra_user(951, **{"Conversion Rates": "nan"}),
                extra_user(952, **{"Time Spent Online (hrs/weekend)": "24.5"}),
            ),
        ),
        valid=100,
        rejected=3,
        reasons={"unknown_level": 1, "missing_value": 1, "negative": 1, "out_of_range": 3, "not_a_number": 2},
        check=lambda run: (
            run.scalar("select len(rejection_reasons) from rejected_user_profiles where raw_user_id = '950'") == 6
        ),
    ),
    Case(
        "odd_levels",
        "Oddly spelled levels (` urban `, `FEMALE`, `hindi`) and interests",
        "Matched ignoring case and spaces, stored canonical",
        text_file("odd.csv", base_plus(ODD)),
        valid=101,
        rejected=0,
        check=lambda run: (
            run.query("select age, gender, location, language, interests from stg_user_profiles where user_id = 901")
            == [("25-34", "Female", "Urban", "Hindi", ["Gaming", "Pet Care"])]
        ),
    ),
    Case(
        "unknown_levels",
        "Unknown levels (`17-`, `Moon`)",
        "Quarantined",
        text_file("unknown.csv", base_plus(extra_user(901, Age="17-"), extra_user(902, Location="Moon"))),
        valid=100,
        rejected=2,
        reasons={"unknown_level": 2},
    ),
    Case(
        "empty_interests",
        "Empty interest list (`` or `, ,`)",
        "Valid: no interests (`interests` is an empty list, `interest_count` 0); "
        "interests describe segments, they do not define them",
        text_file(
            "interests.csv",
            base_plus(extra_user(901, Top_Interests=""), extra_user(902, Top_Interests=" , ,")),
        ),
        valid=102,
        rejected=0,
        check=lambda run: (
            run.query(
                "select s.user_id, len(s.interests), d.interest_count from stg_user_profiles as s"
                " join dim_users as d on s.user_id = d.user_id where s.user_id in (901, 902) order by s.user_id"
            )
            == [(901, 0, 0), (902, 0, 0)]
        ),
    ),
    Case(
        "every_row_invalid",
        "Every row invalid",
        "Build stops: no valid users (the quarantine is kept)",
        text_file("allbad.csv", to_csv([with_value(r, "Click-Through Rates (CTR)", "50") for r in sample_rows()])),
        error=["No valid users", "all 100 input rows were rejected", "rejected_user_profiles"],
        # A failed build is not published: its quarantine is in the build file.
        check=lambda run: build_file(run).scalar("select count(*) from rejected_user_profiles") == 100,
    ),
    Case(
        "too_few_users",
        "Fewer valid users than the clustering needs",
        "Build stops with the numbers",
        text_file("few.csv", to_csv(sample_rows(5))),
        error=["Not enough users to cluster", "needs at least 9 valid users", "there are 5 valid users"],
    ),
    Case(
        "html_values",
        "Values carrying HTML (`<script>`)",
        "Kept as text (an open-ended interest); escaped in the report",
        text_file("html.csv", base_plus(extra_user(901, Top_Interests="<script>alert(1)</script>, Gaming"))),
        valid=101,
        rejected=0,
        check=lambda run: (
            run.scalar("select count(*) from stg_user_interests where interest = '<script>alert(1)</script>'") == 1
        ),
    ),
    Case(
        "sql_values",
        "Values carrying SQL (`O'Reilly'); drop table dim_users; --`)",
        "Data, never SQL: quarantined as an unknown level, stored verbatim",
        text_file("sql.csv", base_plus(extra_user(901, Location=HOSTILE_SQL))),
        valid=100,
        rejected=1,
        reasons={"unknown_level": 1},
        check=lambda run: (
            run.scalar("select raw_location from rejected_user_profiles") == HOSTILE_SQL
            and run.scalar("select count(*) from dim_users") == 100
        ),
    ),
    Case(
        "quoted_path",
        "A path containing quotes and SQL",
        "The path is a quoted literal",
        _quoted_path,
        valid=100,
        rejected=0,
    ),
    Case(
        "parquet",
        "Parquet file with typed columns",
        "Read; values typed as in CSV",
        _parquet,
        valid=100,
        rejected=0,
    ),
    Case(
        "whole_numbers",
        "Whole numbers written as `2` instead of `2.0`",
        "Read as numbers",
        text_file("ints.csv", to_csv([with_value(r, "Time Spent Online (hrs/weekday)", "2") for r in sample_rows()])),
        valid=100,
        rejected=0,
    ),
    Case(
        "unknown_extension",
        "Unknown file type (`.xlsx`)",
        "Build stops, naming the file",
        text_file("users.xlsx", base_plus()),
        error=["users.xlsx", "unknown file type '.xlsx'"],
    ),
    Case(
        "missing_file",
        "File does not exist",
        "Build stops, naming the file",
        lambda folder: folder / "nowhere.csv",
        error=["nowhere.csv", "not found"],
    ),
    Case(
        "unclosed_quote",
        "A closing quote missing (record 37 of 100)",
        "Build stops before any model runs, naming the line where the quote opens",
        text_file("unclosed.csv", edited_record(37, without_closing_quote)),
        error=["unclosed.csv", "line 38 (record 37) opens a quote", "never closed", "cannot be counted reliably"],
        check=messages_fit_on_a_screen,
    ),
    Case(
        "unclosed_opening_quote",
        "An opening quote never closed (record 500 of 1,000)",
        "Build stops before any model runs, naming the line where the quote opens",
        text_file("opened.csv", edited_record(500, with_opening_quote, count=1000)),
        error=["opened.csv", "line 501 (record 500) opens a quote", "never closed"],
        check=messages_fit_on_a_screen,
    ),
    Case(
        "unclosed_quote_last_line",
        "A quote left open on the last line",
        "Quarantined as a malformed record (nothing follows it)",
        text_file("lastquote.csv", edited_record(100, without_closing_quote)),
        valid=99,
        rejected=1,
        reasons={"malformed_record": 1},
        check=lambda run: run.scalar("select source_row_number from rejected_user_profiles") == 100,
    ),
    Case(
        "bare_carriage_return",
        "A bare carriage return (`\\r`) inside a record",
        "Build stops, naming the line and record",
        text_file("cr.csv", edited_record(50, with_bare_cr)),
        error=["cr.csv", "line 51 (record 50) holds a carriage return"],
        check=messages_fit_on_a_screen,
    ),
    Case(
        "cp1252",
        "Windows-1252 (en dash, curly quotes, bullet)",
        "Build stops, naming the line; suggests `input_encoding: cp1252`",
        text_file("cp1252.csv", base_plus(extra_user(901, Top_Interests=CP1252_TEXT)), "cp1252"),
        error=["cp1252.csv", "is not UTF-8 encoded", "line 102", "input_encoding: cp1252"],
        check=lambda run: "input_encoding: latin-1" not in run.output and messages_fit_on_a_screen(run),
    ),
    Case(
        "cp1252_declared",
        "Windows-1252 with `input_encoding: cp1252` (or `windows-1252`)",
        "Read through a UTF-8 copy beside the warehouse",
        text_file("cp1252ok.csv", base_plus(extra_user(901, Top_Interests=CP1252_TEXT)), "cp1252"),
        valid=101,
        rejected=0,
        vars={"input_encoding": "windows-1252"},
        check=lambda run: run.scalar(f"select count(*) from stg_user_interests where interest = '{CP1252_TEXT}'") == 1,
    ),
    Case(
        "cp1252_as_latin1",
        "Windows-1252 declared as `input_encoding: latin-1`",
        "Build stops, naming the line; suggests `input_encoding: cp1252`",
        text_file("cp1252l.csv", base_plus(extra_user(901, Top_Interests=CP1252_TEXT)), "cp1252"),
        error=["cp1252l.csv", "is not latin-1", "line 102", "input_encoding: cp1252"],
        vars={"input_encoding": "latin-1"},
    ),
    Case(
        "corrupt_bytes",
        "A few bytes that are not UTF-8 in a UTF-8 file",
        "Those records quarantined as malformed, with the line",
        bytes_file("corrupt.csv", CORRUPT_UTF8),
        valid=102,
        rejected=1,
        reasons={"malformed_record": 1},
        check=lambda run: (
            run.query(
                "select source_row_number, rejection_summary like '%not valid utf-8 (line 103)%' "
                "from rejected_user_profiles"
            )
            == [(102, True)]
        ),
    ),
    Case(
        "utf16_be",
        "UTF-16 big-endian with a byte-order mark",
        "Read through a UTF-8 copy beside the warehouse",
        bytes_file("be.csv", b"\xfe\xff" + base_plus().encode("utf-16-be")),
        valid=100,
        rejected=0,
    ),
    Case(
        "binary_file",
        "A binary file renamed `.csv`",
        "Build stops: not a text file (no bytes dumped)",
        bytes_file("binary.csv", bytes(range(256)) * 12),
        error=["binary.csv", "is not a text file"],
        check=messages_fit_on_a_screen,
    ),
    Case(
        "long_line",
        "A 50 MB line (over the 16 MB record limit)",
        "Quarantined as a malformed record, its text shortened",
        text_file("long.csv", base_plus(extra_user(901, Location="x" * 50_000_000))),
        valid=100,
        rejected=1,
        reasons={"malformed_record": 1},
        check=lambda run: (
            run.query(
                "select source_row_number, length(raw_line) <= 10000, rejection_summary like '%16 MB%' "
                "from rejected_user_profiles"
            )
            == [(101, True, True)]
        ),
    ),
]
