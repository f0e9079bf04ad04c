"""A corpus of broken event and order logs, each with the outcome the project promises.

Every file is generated here from a small hand-written valid log (``BASE_EVENTS``: 30 events,
``BASE_ORDERS``: 10 orders of users 1-10 of the embedded profile seed
seeds/raw_user_profiles.csv, which is the profile input of every build: no ``input_path``), so
a reader sees exactly what is broken. ``CASES`` drives tests/python/test_activity_corpus.py,
which runs the real ``dbt build --vars '{interactions_path: ..., transactions_path: ...}'``.

A dbt build takes ~15-20 s, so an events case and an orders case that do not interfere share
one build (``BUILDS``: the events file and the order file of one ``--vars``); each case checks
only its own log (stg_/rejected_ tables, reason counts, its row of
segmentation_activity_reconciliation). A case whose build stops (``error``) has a build of its
own: the first unusable file stops the build.

``CASES_TABLE`` is the cases as a markdown table (name, problem, expected outcome), generated
from ``CASES`` so it never drifts: ``python -c "from tests.python.activity_corpus import
CASES_TABLE; print(CASES_TABLE)"``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.python.corpus import bytes_file, messages_fit_on_a_screen, text_file

ROOT = Path(__file__).resolve().parents[2]
EVENT_HEADER = ("user_id", "event_time", "event_type", "channel", "category")
ORDER_HEADER = ("user_id", "order_id", "order_time", "amount", "currency", "category")
LOG_VARS = {"interactions": "interactions_path", "transactions": "transactions_path"}
# The valid profiles of the embedded seed (every build reads it: no input_path).
PROFILE_USERS = 1000
BASE_USERS = 10

# 30 events of users 1-10 (the seed's first ten ids), 2025-03-01 .. 03-10, all UTC ('Z');
# a few without a channel or a category (optional values). Five are after 2025-03-09 00:00
# (rows 9, 15, 24, 27, 30): the as_of of the `unknown_users` build.
BASE_EVENTS = """\
user_id,event_time,event_type,channel,category
1,2025-03-01T08:05:00Z,view,web,gaming
1,2025-03-01T08:07:30Z,click,web,gaming
1,2025-03-04T19:40:00Z,like,app,music
2,2025-03-01T09:00:00Z,view,app,travel
2,2025-03-02T21:15:00Z,share,app,travel
2,2025-03-08T07:30:00Z,search,web,
3,2025-03-02T12:00:00Z,view,web,fitness
3,2025-03-02T12:01:00Z,comment,web,fitness
3,2025-03-09T18:20:00Z,view,app,fitness
4,2025-03-03T10:10:00Z,search,,books
4,2025-03-03T10:12:00Z,view,web,books
4,2025-03-06T22:05:00Z,like,app,books
5,2025-03-03T14:30:00Z,view,app,music
5,2025-03-05T16:40:00Z,click,app,music
5,2025-03-10T08:00:00Z,share,app,music
6,2025-03-04T07:45:00Z,view,web,gaming
6,2025-03-04T07:50:00Z,like,web,gaming
6,2025-03-07T23:10:00Z,comment,app,gaming
7,2025-03-05T11:00:00Z,view,web,travel
7,2025-03-05T11:20:00Z,search,web,travel
7,2025-03-08T20:30:00Z,view,app,travel
8,2025-03-06T09:15:00Z,view,app,fitness
8,2025-03-06T09:16:00Z,click,app,fitness
8,2025-03-09T10:00:00Z,like,web,fitness
9,2025-03-07T13:00:00Z,view,web,books
9,2025-03-07T13:05:00Z,share,web,books
9,2025-03-10T19:45:00Z,view,app,books
10,2025-03-08T17:30:00Z,view,app,music
10,2025-03-08T17:33:00Z,comment,app,music
10,2025-03-10T21:00:00Z,search,web,music
"""

# 10 orders, one per user 1-10; two (A1009, A1010) after 2025-03-09 00:00. Sum 634.49.
BASE_ORDERS = """\
user_id,order_id,order_time,amount,currency,category
1,A1001,2025-03-01T08:20:00Z,19.99,EUR,gaming
2,A1002,2025-03-02T21:30:00Z,120.00,EUR,travel
3,A1003,2025-03-02T12:30:00Z,35.50,EUR,fitness
4,A1004,2025-03-03T10:20:00Z,8.25,USD,books
5,A1005,2025-03-05T16:45:00Z,64.00,EUR,music
6,A1006,2025-03-06T11:00:00Z,12.40,EUR,gaming
7,A1007,2025-03-07T20:05:00Z,250.00,GBP,travel
8,A1008,2025-03-08T09:30:00Z,5.00,EUR,
9,A1009,2025-03-09T14:00:00Z,41.58,EUR,fitness
10,A1010,2025-03-10T22:45:00Z,77.77,EUR,music
"""
BASE_ORDER_TOTAL = 634.49


def rows_of(text: str) -> list[list[str]]:
    """The data records of a hand-written log (header excluded)."""
    return list(csv.reader(io.StringIO(text)))[1:]


def to_csv(header: tuple[str, ...], rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows([list(header), *rows])
    return out.getvalue()


def events(*extra: list[str], delimiter: str = ",") -> str:
    """The base event log followed by ``extra`` records (rows 31, 32, ...)."""
    return to_csv(EVENT_HEADER, rows_of(BASE_EVENTS) + list(extra), delimiter)


def orders(*extra: list[str], delimiter: str = ",") -> str:
    """The base order log followed by ``extra`` records (rows 11, 12, ...)."""
    return to_csv(ORDER_HEADER, rows_of(BASE_ORDERS) + list(extra), delimiter)


def base_event(row: int) -> list[str]:
    """A copy of base event ``row`` (1-based)."""
    return list(rows_of(BASE_EVENTS)[row - 1])


def with_fields(row: list[str], header: tuple[str, ...], **changes: str) -> list[str]:
    changed = list(row)
    for name, value in changes.items():
        changed[header.index(name)] = value
    return changed


def event_like(row: int, **changes: str) -> list[str]:
    return with_fields(base_event(row), EVENT_HEADER, **changes)


def order_like(row: int, **changes: str) -> list[str]:
    return with_fields(list(rows_of(BASE_ORDERS)[row - 1]), ORDER_HEADER, **changes)


def mixed_delimiters() -> str:
    """The base events with records 11-20 written with ';' under the ',' header (two exports
    pasted together), then record 31 with a time that is not one: its raw text is read back
    from the file by its number, which counts the malformed records before it."""
    lines = events(event_like(3, event_time="soon")).splitlines()
    for record in range(11, 21):
        lines[record] = lines[record].replace(",", ";")
    return "\n".join(lines) + "\n"


def _future_orders(folder: Path) -> Path:
    """Orders after the build's start: far away, and two days from now (the boundary is the
    build's start, not a fixed date)."""
    soon = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = orders(
        ["1", "F01", "2099-01-01T00:00:00Z", "10.00", "EUR", "gaming"],
        ["2", "F02", "2100-06-01T12:00:00", "10.00", "EUR", "gaming"],
        ["3", "F03", soon, "10.00", "EUR", "gaming"],
    )
    return text_file("orders_future.csv", text)(folder)


@dataclass
class Case:
    """One log file and what the build does with it.

    ``reasons``: ``'<column>.<code>'`` -> how many rejection reasons of the log's quarantine
    have it. The reconciliation row is derived from the counts: rows_in_file = valid +
    rejected, counted_rows = valid - unknown_rows - after_as_of, ``users`` profile users with
    counted rows (the rest of the 1,000 without).
    """

    name: str
    log: str  # "interactions" or "transactions"
    problem: str
    outcome: str
    write: Callable[[Path], Path]
    valid: int | None = None
    rejected: int | None = None
    reasons: dict[str, int] = field(default_factory=dict)
    unknown_rows: int = 0
    unknown_users: int = 0
    after_as_of: int = 0
    users: int = BASE_USERS
    error: list[str] = field(default_factory=list)
    # SQL on the published warehouse -> the rows it must return.
    expect: dict[str, list[tuple]] = field(default_factory=dict)
    check: Callable | None = None
    # A known bug: the reason (the case is xfail(strict=True) until it is fixed).
    bug: str | None = None

    @property
    def succeeds(self) -> bool:
        return not self.error

    @property
    def reconciliation(self) -> tuple:
        """The expected row of segmentation_activity_reconciliation, from rows_in_file on."""
        assert self.valid is not None and self.rejected is not None
        counted = self.valid - self.unknown_rows - self.after_as_of
        return (
            self.valid + self.rejected,
            self.valid,
            self.rejected,
            self.unknown_rows,
            self.unknown_users,
            self.after_as_of,
            counted,
            self.users,
            PROFILE_USERS - self.users,
        )


@dataclass
class Build:
    """One dbt build: at most one events case and one orders case, and extra --vars."""

    name: str
    cases: tuple[str, ...]
    vars: dict[str, str] = field(default_factory=dict)


def _rejected(log: str, columns: str = "source_row_number, rejection_summary") -> str:
    return f"select {columns} from rejected_{log} order by source_row_number"


EVENT_CASES: list[Case] = [
    Case(
        "events_header_only",
        "interactions",
        "Event log with the header line only",
        "Builds: 0 events; every user has `has_activity = false`",
        text_file("events_header.csv", ",".join(EVENT_HEADER) + "\n"),
        valid=0,
        rejected=0,
        users=0,
        expect={
            "select count(*), count(*) filter (where has_activity) from int_user_activity_features": [
                (PROFILE_USERS, 0)
            ],
            "select count(*) from dim_users": [(PROFILE_USERS,)],
        },
    ),
    Case(
        "events_unknown_user",
        "interactions",
        "Events of users not in the profiles (1001, 5000), one after `as_of`",
        "Kept in stg_interactions, counted as unknown in the reconciliation, in no feature",
        text_file(
            "events_unknown.csv",
            events(
                ["1001", "2025-03-05T10:00:00Z", "view", "web", "gaming"],
                ["1001", "2025-03-10T09:00:00Z", "click", "web", "gaming"],
                ["5000", "2025-03-06T10:00:00Z", "view", "app", "music"],
            ),
        ),
        valid=33,
        rejected=0,
        unknown_rows=3,
        unknown_users=2,
        after_as_of=5,
        expect={
            "select user_id, count(*) from stg_interactions where user_id > 1000 group by all order by 1": [
                (1001, 2),
                (5000, 1),
            ],
            "select count(*) from int_user_activity_features where user_id > 1000": [(0,)],
            "select count(*), sum(events) from int_user_activity_features": [(PROFILE_USERS, 25)],
        },
    ),
    Case(
        "events_exact_duplicate",
        "interactions",
        "The same event repeated: verbatim, with other case and spaces (` View`, `APP`), "
        "and the same instant in another zone (`14:00+02:00` = `12:00Z`)",
        "First copy kept, the repeats quarantined as `exact_duplicate`; "
        "near-duplicates (other channel, one second later) kept",
        text_file(
            "events_dups.csv",
            events(
                base_event(1),
                event_like(4, event_type=" View", channel="APP", category=" Travel "),
                event_like(7, event_time="2025-03-02T14:00:00+02:00"),
                event_like(1, channel="app"),
                event_like(1, event_time="2025-03-01T08:05:01Z"),
            ),
        ),
        valid=32,
        rejected=3,
        reasons={"record.exact_duplicate": 3},
        expect={
            _rejected("interactions"): [
                (31, "record: repeats row 1 exactly; the first copy is kept"),
                (32, "record: repeats row 4 exactly; the first copy is kept"),
                (33, "record: repeats row 7 exactly; the first copy is kept"),
            ],
            "select event_id from stg_interactions where event_id > 30 order by 1": [(34,), (35,)],
            # The quarantine shows each repeat as written in the file, not its canonical values.
            "select raw_event_type, raw_channel, raw_category from rejected_interactions "
            "where source_row_number = 32": [(" View", "APP", " Travel ")],
        },
    ),
    Case(
        "events_unparseable_time",
        "interactions",
        "Unparseable or missing `event_time` (`yesterday`, 30 February, hour 25, `05/03/2025 10:00`, "
        "epoch seconds, empty)",
        "Quarantined: `not_a_time` (the value quoted) or `missing_value`",
        text_file(
            "events_badtime.csv",
            events(
                event_like(1, event_time="yesterday"),
                event_like(1, event_time="2025-02-30T10:00:00Z"),
                event_like(1, event_time="2025-03-05T25:00:00Z"),
                event_like(1, event_time="05/03/2025 10:00"),
                event_like(1, event_time="1741168800"),
                event_like(1, event_time=""),
            ),
        ),
        valid=30,
        rejected=6,
        reasons={"event_time.not_a_time": 5, "event_time.missing_value": 1},
        expect={
            _rejected("interactions") + " limit 1": [(31, "event_time: not an ISO-8601 time: 'yesterday'")],
            "select raw_event_time from rejected_interactions where source_row_number = 35": [("1741168800",)],
        },
    ),
    Case(
        "events_bad_user_id_or_type",
        "interactions",
        "Missing (empty, blank) or non-integer (`abc`, `12.5`) `user_id`; blank `event_type`; "
        "` 7 `, `0008`, ` CLICK `, `Purchase`",
        "Quarantined with every reason of the record (`missing_value`, `not_an_integer`); "
        "spaced ids and types read, known types canonical, other types kept as written",
        text_file(
            "events_ids.csv",
            events(
                event_like(2, user_id=""),
                event_like(2, user_id="  "),
                event_like(2, user_id="abc"),
                event_like(2, user_id="12.5"),
                event_like(2, user_id="5", event_type=""),
                event_like(2, user_id="6", event_type="   "),
                event_like(2, user_id="", event_type=""),
                event_like(2, user_id=" 7 ", event_type=" CLICK "),
                event_like(2, user_id="0008", event_type="Purchase"),
            ),
        ),
        valid=32,
        rejected=7,
        reasons={"user_id.missing_value": 3, "user_id.not_an_integer": 2, "event_type.missing_value": 3},
        expect={
            "select event_id, user_id, event_type from stg_interactions where event_id > 30 order by 1": [
                (38, 7, "click"),
                (39, 8, "Purchase"),
            ],
            _rejected("interactions", "source_row_number, rejection_codes") + " offset 4": [
                (35, ["missing_value"]),
                (36, ["missing_value"]),
                (37, ["missing_value", "missing_value"]),
            ],
            "select rejection_summary from rejected_interactions where source_row_number = 37": [
                ("user_id: missing; event_type: missing",)
            ],
        },
    ),
    Case(
        "events_wrong_delimiter",
        "interactions",
        "Records 11-20 written with `;` under a `,` header (two exports pasted together); "
        "record 31 with the time `soon`",
        "Those 10 records quarantined as `malformed_record` with their text; the others read, numbered as in the file "
        "(record 31 quarantined as `not_a_time` with its own text)",
        text_file("events_semicolons.csv", mixed_delimiters()),
        valid=20,
        rejected=11,
        reasons={"record.malformed_record": 10, "event_time.not_a_time": 1},
        users=8,  # users 5 and 6 have events only in records 11-20
        expect={
            "select min(source_row_number), max(source_row_number), count(*) filter (where raw_line like '%;%;%') "
            "from rejected_interactions where raw_line is not null": [(11, 20, 10)],
            "select raw_line from rejected_interactions where source_row_number = 11": [
                ("4;2025-03-03T10:12:00Z;view;web;books",)
            ],
            # Record 21 is still event 21 (user 7, 03-08 20:30) after the malformed block.
            "select event_id, user_id, event_time::varchar from stg_interactions where event_id = 21": [
                (21, 7, "2025-03-08 20:30:00")
            ],
            "select delimiter, malformed_records from input.interactions_manifest": [(",", 10)],
            "select source_row_number, raw_user_id, raw_event_time, raw_category from rejected_interactions "
            "where raw_line is null": [(31, "1", "soon", "music")],
        },
    ),
    Case(
        "events_tab_delimited",
        "interactions",
        "Tab-delimited event log (`.tsv`), a category holding a comma",
        "Delimiter detected from the header; read as usual",
        text_file(
            "events.tsv",
            events(event_like(30, event_time="2025-03-10T21:30:00Z", category="books, comics"), delimiter="\t"),
        ),
        valid=31,
        rejected=0,
        expect={
            "select delimiter from input.interactions_manifest": [("\t",)],
            "select category from stg_interactions where event_id = 31": [("books, comics",)],
        },
    ),
    Case(
        "events_mixed_time_zones",
        "interactions",
        "Times in several zones: `Z`, `+02:00`, `-05:00`, none, across midnight, fractional seconds",
        "All valid: `event_time` the UTC instant, `event_local_time` the wall clock as written",
        text_file(
            "events_zones.csv",
            events(
                ["9", "2025-03-05T10:00:00Z", "view", "web", "books"],
                ["9", "2025-03-05T12:00:00+02:00", "click", "web", "books"],
                ["9", "2025-03-05T05:00:00-05:00", "like", "web", "books"],
                ["9", "2025-03-05T10:00:00", "share", "web", "books"],
                ["10", "2025-03-05T23:30:00-05:00", "view", "app", "music"],
                ["10", "2025-03-06T01:15:00+02:00", "view", "web", "music"],
                ["10", "2025-03-05T10:00:00.250Z", "search", "app", "music"],
            ),
        ),
        valid=37,
        rejected=0,
        expect={
            "select event_id, event_time::varchar, event_local_time::varchar from stg_interactions "
            "where event_id > 30 order by 1": [
                (31, "2025-03-05 10:00:00", "2025-03-05 10:00:00"),
                (32, "2025-03-05 10:00:00", "2025-03-05 12:00:00"),
                (33, "2025-03-05 10:00:00", "2025-03-05 05:00:00"),
                (34, "2025-03-05 10:00:00", "2025-03-05 10:00:00"),
                (35, "2025-03-06 04:30:00", "2025-03-05 23:30:00"),
                (36, "2025-03-05 23:15:00", "2025-03-06 01:15:00"),
                (37, "2025-03-05 10:00:00.25", "2025-03-05 10:00:00.25"),
            ],
        },
    ),
    Case(
        "events_truncated_last_line",
        "interactions",
        "Truncated last line (`10,2025-03-1`, no line end)",
        "Quarantined as a `malformed_record`, its text kept",
        text_file("events_truncated.csv", events() + "10,2025-03-1"),
        valid=30,
        rejected=1,
        reasons={"record.malformed_record": 1},
        expect={"select source_row_number, raw_line from rejected_interactions": [(31, "10,2025-03-1")]},
    ),
    Case(
        "events_time_keywords",
        "interactions",
        "DuckDB timestamp words as `event_time`: `epoch`, `-infinity`, `infinity`",
        "Quarantined as `not_a_time` (not ISO-8601)",
        text_file(
            "events_keywords.csv",
            events(
                event_like(1, event_time="epoch"),
                event_like(1, event_time="-infinity"),
                event_like(1, event_time="infinity"),
            ),
        ),
        valid=30,
        rejected=3,
        reasons={"event_time.not_a_time": 3},
    ),
    Case(
        "events_empty_file",
        "interactions",
        "Empty event log (0 bytes)",
        "Build stops before any model: the file is empty (named, with the expected columns)",
        bytes_file("events_empty.csv", b""),
        error=[
            "Event log",
            "events_empty.csv",
            "(interactions_path)",
            "is empty",
            "'user_id', 'event_time', 'event_type' (and optionally 'channel', 'category')",
        ],
        check=messages_fit_on_a_screen,
    ),
]

ORDER_CASES: list[Case] = [
    Case(
        "orders_header_only",
        "transactions",
        "Order log with the header line only (no line end)",
        "Builds: 0 orders; every user has `has_activity = false`, `orders = 0`",
        text_file("orders_header.csv", ",".join(ORDER_HEADER)),
        valid=0,
        rejected=0,
        users=0,
        expect={"select count(*) filter (where orders > 0) from int_user_activity_features": [(0,)]},
    ),
    Case(
        "orders_unknown_user",
        "transactions",
        "Orders of users not in the profiles (1001, 5000)",
        "Kept in stg_transactions, counted as unknown in the reconciliation, in no feature",
        text_file(
            "orders_unknown.csv",
            orders(
                ["1001", "U01", "2025-03-05T10:30:00Z", "15.00", "EUR", "gaming"],
                ["5000", "U02", "2025-03-06T12:00:00Z", "30.00", "EUR", "music"],
            ),
        ),
        valid=12,
        rejected=0,
        unknown_rows=2,
        unknown_users=2,
        after_as_of=2,
        users=8,
        expect={
            "select user_id from stg_transactions where user_id > 1000 order by 1": [(1001,), (5000,)],
            "select sum(orders), round(sum(monetary_value), 2) from int_user_activity_features": [
                (8, round(BASE_ORDER_TOTAL - 41.58 - 77.77, 2))
            ],
        },
    ),
    Case(
        "orders_exact_duplicate",
        "transactions",
        "The same order repeated: verbatim, and with ` A1002 ` and `120` for `120.00`",
        "First copy kept, the repeats quarantined as `exact_duplicate`",
        text_file(
            "orders_dups.csv",
            orders(order_like(1), order_like(2, order_id=" A1002 ", amount="120")),
        ),
        valid=10,
        rejected=2,
        reasons={"record.exact_duplicate": 2},
        expect={
            _rejected("transactions"): [
                (11, "record: repeats row 1 exactly; the first copy is kept"),
                (12, "record: repeats row 2 exactly; the first copy is kept"),
            ],
            "select count(*), count(distinct order_id), round(sum(amount), 2) from stg_transactions": [
                (10, 10, BASE_ORDER_TOTAL)
            ],
        },
    ),
    Case(
        "orders_future_time",
        "transactions",
        "`order_time` after the build's start (2099, 2100 without a zone, two days from now)",
        "Quarantined as `future_time`",
        _future_orders,
        valid=10,
        rejected=3,
        reasons={"order_time.future_time": 3},
        expect={
            _rejected("transactions") + " limit 1": [(11, "order_time: in the future: '2099-01-01T00:00:00Z'")],
        },
    ),
    Case(
        "orders_conflicting_order_id",
        "transactions",
        "An `order_id` repeated with other values (A1003 by another user; A1004 twice the same, once another amount)",
        "Every copy quarantined as `conflicting_order_id` (which one is right cannot be told)",
        text_file(
            "orders_conflict.csv",
            orders(order_like(3, user_id="5"), order_like(4), order_like(4, amount="9.25")),
        ),
        valid=8,
        rejected=5,
        reasons={"order_id.conflicting_order_id": 5},
        users=8,
        expect={
            "select source_row_number from rejected_transactions order by 1": [(3,), (4,), (11,), (12,), (13,)],
            "select rejection_summary from rejected_transactions where source_row_number = 4": [
                ("order_id: order_id A1004 has different values in rows 4, 12, 13; every copy is quarantined",)
            ],
        },
    ),
    Case(
        "orders_decimal_comma",
        "transactions",
        "`;`-delimited order log with decimal commas (`19,99`)",
        "Valid: delimiter detected, amounts read with a decimal point",
        text_file(
            "orders_semicolon.csv",
            orders(delimiter=";").replace(".", ","),
        ),
        valid=10,
        rejected=0,
        expect={
            "select delimiter, decimal_comma from input.transactions_manifest": [(";", True)],
            "select amount from stg_transactions where order_id = 'A1001'": [(19.99,)],
            "select round(sum(amount), 2) from stg_transactions": [(BASE_ORDER_TOTAL,)],
        },
    ),
    Case(
        "orders_pipe_delimited",
        "transactions",
        "`|`-delimited order log",
        "Delimiter detected from the header; read as usual (decimal point)",
        text_file("orders_pipe.csv", orders(delimiter="|")),
        valid=10,
        rejected=0,
        expect={
            "select delimiter, decimal_comma from input.transactions_manifest": [("|", False)],
            "select round(sum(amount), 2) from stg_transactions": [(BASE_ORDER_TOTAL,)],
        },
    ),
    Case(
        "orders_bad_values",
        "transactions",
        "Negative, non-numeric (`abc`, `NaN`, `inf`) or missing `amount`; non-integer `user_id`; "
        "missing `order_id`; ` 12.50 ` and `0`",
        "Quarantined with every reason (`negative`, `not_a_number`, `missing_value`, `not_an_integer`); "
        "spaced and zero amounts valid",
        text_file(
            "orders_values.csv",
            orders(
                ["1", "B01", "2025-03-04T10:00:00Z", "-5.00", "EUR", "gaming"],
                ["2", "B02", "2025-03-04T10:00:00Z", "abc", "EUR", "gaming"],
                ["3", "B03", "2025-03-04T10:00:00Z", "", "EUR", "gaming"],
                ["4", "B04", "2025-03-04T10:00:00Z", "NaN", "EUR", "gaming"],
                ["5", "B05", "2025-03-04T10:00:00Z", "inf", "EUR", "gaming"],
                ["7.5", "B06", "2025-03-04T10:00:00Z", "10.00", "EUR", "gaming"],
                ["6", "", "2025-03-04T10:00:00Z", "10.00", "EUR", "gaming"],
                ["x", "B08", "2025-03-04T10:00:00Z", "-1", "EUR", "gaming"],
                ["8", "B09", "2025-03-04T10:00:00Z", " 12.50 ", "EUR", "gaming"],
                ["9", "B10", "2025-03-04T10:00:00Z", "0", "EUR", "gaming"],
            ),
        ),
        valid=12,
        rejected=8,
        reasons={
            "amount.negative": 2,
            "amount.not_a_number": 3,
            "amount.missing_value": 1,
            "user_id.not_an_integer": 2,
            "order_id.missing_value": 1,
        },
        expect={
            "select order_id, amount from stg_transactions where source_row_number > 10 order by 1": [
                ("B09", 12.5),
                ("B10", 0.0),
            ],
            "select rejection_summary from rejected_transactions where source_row_number = 18": [
                ("user_id: not a whole number: 'x'; amount: below 0: '-1'",)
            ],
        },
    ),
    Case(
        "orders_truncated_last_line",
        "transactions",
        "Truncated last line (`10,A1011,2025-03-10T23:`, no line end)",
        "Quarantined as a `malformed_record`, its text kept",
        text_file("orders_truncated.csv", orders() + "10,A1011,2025-03-10T23:"),
        valid=10,
        rejected=1,
        reasons={"record.malformed_record": 1},
        expect={
            "select source_row_number, raw_line from rejected_transactions": [(11, "10,A1011,2025-03-10T23:")],
        },
    ),
    Case(
        "orders_huge_user_id",
        "transactions",
        "A 20-digit `user_id` (`99999999999999999999`, beyond BIGINT)",
        "Quarantined as `not_an_integer`",
        text_file(
            "orders_huge_id.csv",
            orders(["99999999999999999999", "H01", "2025-03-05T12:00:00Z", "5.00", "EUR", "gaming"]),
        ),
        valid=10,
        rejected=1,
        reasons={"user_id.not_an_integer": 1},
    ),
    Case(
        "orders_missing_column",
        "transactions",
        "Order log without the required `amount` column",
        "Build stops before any model, naming the file and the missing column",
        text_file(
            "orders_no_amount.csv",
            to_csv(
                tuple(h for h in ORDER_HEADER if h != "amount"),
                [r[:3] + r[4:] for r in rows_of(BASE_ORDERS)],
            ),
        ),
        error=["Order log", "orders_no_amount.csv", "(transactions_path)", "missing required column 'amount'"],
        check=messages_fit_on_a_screen,
    ),
]

CASES: list[Case] = EVENT_CASES + ORDER_CASES
CASE_BY_NAME: dict[str, Case] = {c.name: c for c in CASES}

# An events case and an orders case that do not interfere share a build. The bug probes share
# one (each stops the build: fixing one bug leaves the other case failing until both are fixed).
AS_OF = "2025-03-09T00:00:00Z"
BUILDS: list[Build] = [
    Build("header_only", ("events_header_only", "orders_header_only")),
    Build("unknown_users", ("events_unknown_user", "orders_unknown_user"), {"as_of": AS_OF}),
    Build("duplicates", ("events_exact_duplicate", "orders_exact_duplicate")),
    Build("times", ("events_unparseable_time", "orders_future_time")),
    Build("ids", ("events_bad_user_id_or_type", "orders_conflicting_order_id")),
    Build("semicolons", ("events_wrong_delimiter", "orders_decimal_comma")),
    Build("tabs_and_pipes", ("events_tab_delimited", "orders_pipe_delimited")),
    Build("values", ("events_mixed_time_zones", "orders_bad_values")),
    Build("truncated", ("events_truncated_last_line", "orders_truncated_last_line")),
    Build("bug_probes", ("events_time_keywords", "orders_huge_user_id")),
    Build("empty_events", ("events_empty_file",)),
    Build("missing_order_column", ("orders_missing_column",)),
]
BUILD_OF: dict[str, Build] = {name: b for b in BUILDS for name in b.cases}


def markdown_table(cases: list[Case]) -> str:
    lines = ["| Case | Problem | Expected outcome |", "| --- | --- | --- |"]
    for case in cases:
        outcome = case.outcome + (" *(xfail: known bug)*" if case.bug else "")
        cells = [f"`{case.name}`", case.problem, outcome]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


CASES_TABLE = markdown_table(CASES)
