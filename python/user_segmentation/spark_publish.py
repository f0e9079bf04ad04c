"""Write, audit, publish on Spark: readers only ever see a build whose every model and test passed.

Spark's catalog has no multi-table transaction and Parquet tables no atomic replace (Delta or
Iceberg would need jars downloaded at run time), so the DuckDB target's single file rename has
no equal. Instead, one catalog object is the switch, and every reader object consults it:

- **Write.** dbt builds into the *build* schemas (``profiles.yml`` ``schema``, e.g.
  ``segmentation__build``, and the seeds' ``segmentation__build_seeds``); readers read the
  *published* schema (``published_schema``, e.g. ``segmentation``), which holds only views, one
  per model and seed.
- **Audit.** Every model, contract and test runs against the build schema.
- **Publish** (on-run-end, a full ``dbt build`` with nothing failed or skipped), as publication
  ``N`` after ``P``:

  1. *snapshot*: each built table ``x`` is renamed ``x__pN`` in its build schema (a catalog
     operation; no data is copied), each seed copied to ``x__pN`` (dbt cannot seed over a
     view), each view recreated as ``x__pN`` reading the snapshots;
  2. *stage*: each published view ``x`` is replaced by one that reads ``x__pN`` when the pointer
     says ``N`` and ``x__pP`` otherwise. The pointer still says ``P``, so readers still see
     ``P``: each replacement is atomic and changes nothing they read;
  3. *switch*: the pointer, the view ``segmentation_publication`` (one row of literals: the
     publication number, the run id, the time and the published relations), is replaced to
     say ``N``: one atomic catalog operation, after which every view reads ``N``. Spark folds
     the pointer's literals into each query plan, so the other branch is never scanned;
  4. *tidy*: the views are replaced by plain ``select * from x__pN`` (the same rows), ``P``'s
     snapshots dropped, and the build schemas' tables made views over ``x__pN`` again, so a
     partial ``dbt build --select`` finds its parents.

A build killed before step 3 leaves readers on ``P`` (the next publish drops its leftovers); one
killed after it leaves them on ``N``. A build that changes a table's columns shows, between
steps 2 and 3, ``P``'s rows in ``N``'s columns (new columns null); nothing else is visible.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = [
    "POINTER",
    "Publication",
    "Relation",
    "current_publication",
    "publish",
    "rewrite_view_text",
]

# The one-row view in the published schema that says which publication readers see.
POINTER = "segmentation_publication"
_SNAPSHOT = re.compile(r"^(?P<name>.+)__p(?P<number>\d+)$")
# Words after a relation that mean it has no alias of its own.
_NOT_AN_ALIAS = frozenset(
    ("where", "join", "inner", "left", "right", "full", "cross", "outer", "semi", "anti", "natural")
    + ("lateral", "on", "using", "group", "order", "having", "limit", "offset", "union", "except")
    + ("intersect", "minus", "window", "qualify", "cluster", "distribute", "sort", "tablesample", "pivot", "unpivot")
)

Sql = Callable[[str], list[tuple]]


@dataclass(frozen=True)
class Relation:
    """A relation dbt built: its schema, identifier and kind (``table``, ``view`` or ``seed``)."""

    schema: str
    name: str
    kind: str = "table"

    @classmethod
    def parse(cls, key: str) -> Relation:
        schema, _, name = key.partition(".")
        return cls(schema, name)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}".lower()

    def snapshot(self, number: int) -> str:
        """The quoted name of this relation's snapshot for publication ``number``."""
        return f"{_quote(self.schema)}.{_quote(f'{self.name}__p{number}'.lower())}"

    @property
    def quoted(self) -> str:
        return f"{_quote(self.schema)}.{_quote(self.name)}"


@dataclass(frozen=True)
class Publication:
    """What the pointer says: the publication number (0: nothing yet) and its relations."""

    number: int
    relations: tuple[Relation, ...]


def _quote(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def _literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _names(sql: Sql, schema: str) -> set[str]:
    """Every table and view in ``schema`` (lower case, as Spark's catalog keeps them)."""
    return {str(row[1]).lower() for row in sql(f"show tables in {_quote(schema)}")}


def _views(sql: Sql, schema: str) -> set[str]:
    """The views in ``schema``."""
    return {str(row[1]).lower() for row in sql(f"show views in {_quote(schema)}")}


def _pointer(sql: Sql, published_schema: str) -> tuple[Publication, bool]:
    schemas = {str(row[0]).lower() for row in sql(f"show schemas like {_literal(published_schema)}")}
    if published_schema.lower() not in schemas or POINTER not in _names(sql, published_schema):
        return Publication(0, ()), True
    number, relations, tidy = sql(f"select publication, relations, tidy from {_quote(published_schema)}.{POINTER}")[0]
    return Publication(int(number), tuple(Relation.parse(str(key)) for key in relations)), bool(tidy)


def current_publication(sql: Sql, published_schema: str) -> Publication:
    """The publication the pointer in ``published_schema`` names, or number 0 when there is none."""
    return _pointer(sql, published_schema)[0]


def rewrite_view_text(text: str, relations: Iterable[Relation], number: int) -> str:
    """A build view's SQL reading the snapshots ``x__pN`` instead of the build relations ``x``;
    a relation without an alias gets its old name as one, so ``x.column`` still resolves."""
    targets = {relation.key for relation in relations}
    schemas = "|".join(sorted({re.escape(key.partition(".")[0]) for key in targets}, key=len, reverse=True))
    if not schemas:
        return text
    pattern = re.compile(rf"(`?)({schemas})\1\.(`?)(\w+)\3(?!\w)(?=(\s*)(\w*))", re.IGNORECASE)

    def swap(match: re.Match) -> str:
        schema_quote, schema, name_quote, name, following = (match.group(i) for i in (1, 2, 3, 4, 6))
        if f"{schema}.{name}".lower() not in targets:
            return match.group(0)
        renamed = f"{schema_quote}{schema}{schema_quote}.{name_quote}{name}__p{number}{name_quote}"
        has_alias = following.lower() == "as" or (following and following.lower() not in _NOT_AN_ALIAS)
        return renamed if has_alias else f"{renamed} as {name_quote}{name}{name_quote}"

    return pattern.sub(swap, text)


def _in_dependency_order(views: dict[Relation, str]) -> list[Relation]:
    """The views, each after the views its text reads (their snapshots must exist first)."""
    reads = {
        view: {other for other in views if other != view and rewrite_view_text(text, [other], 0) != text}
        for view, text in views.items()
    }
    ordered: list[Relation] = []
    while len(ordered) < len(views):
        ready = [view for view in views if view not in ordered and reads[view] <= set(ordered)]
        if not ready:
            raise RuntimeError(f"views that read each other: {sorted(v.key for v in views if v not in ordered)}")
        ordered.extend(ready)
    return ordered


def _columns(sql: Sql, relation: str) -> list[tuple[str, str]]:
    columns = []
    for row in sql(f"describe {relation}"):
        name, data_type = str(row[0]), str(row[1])
        if not name or name.startswith("#"):
            break
        columns.append((name, data_type))
    return columns


def _view_text(sql: Sql, relation: str) -> str:
    for row in sql(f"describe table extended {relation}"):
        if str(row[0]) == "View Text":
            return str(row[1])
    raise RuntimeError(f"{relation} is not a view: cannot publish it as one")


def _shaped_as(sql: Sql, previous: str, current: str) -> str:
    """The select list that reads ``previous`` in ``current``'s columns (missing ones null)."""
    wanted = _columns(sql, current)
    have = dict(_columns(sql, previous))
    if list(have.items()) == wanted:
        return "*"
    return ", ".join(
        _quote(name) if have.get(name) == data_type else f"cast(null as {data_type}) as {_quote(name)}"
        for name, data_type in wanted
    )


def _pointer_sql(published: str, publication: Publication, run_id: str, tidy: bool) -> str:
    keys = ", ".join(_literal(relation.key) for relation in publication.relations)
    listed = f"array({keys})" if keys else "cast(array() as array<string>)"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return (
        f"create or replace view {published}.{POINTER} as select "
        f"cast({publication.number} as int) as publication, {_literal(run_id)} as run_id, "
        f"timestamp{_literal(stamp)} as published_at, {listed} as relations, {str(tidy).lower()} as tidy"
    )


def _drop_snapshots(sql: Sql, schemas: Iterable[str], keep: Callable[[int], bool]) -> None:
    """Drop the snapshots ``x__pK`` in ``schemas`` whose number K is not kept."""
    for schema in sorted(set(schemas)):
        views = _views(sql, schema)
        for name in sorted(_names(sql, schema)):
            match = _SNAPSHOT.match(name)
            if match and not keep(int(match.group("number"))):
                sql(f"drop {'view' if name in views else 'table'} if exists {_quote(schema)}.{_quote(name)}")


def _tidy(sql: Sql, published_schema: str, publication: Publication) -> None:
    """Step 4 for ``publication``: plain views, earlier snapshots and stray views dropped.
    Idempotent, and each statement leaves readers on ``publication``."""
    published = _quote(published_schema)
    for relation in publication.relations:
        snapshot = relation.snapshot(publication.number)
        sql(f"create or replace view {published}.{_quote(relation.name)} as select * from {snapshot}")
    names = {relation.name.lower() for relation in publication.relations}
    for name in sorted(_views(sql, published_schema) - names - {POINTER}):
        sql(f"drop view if exists {published}.{_quote(name)}")  # gone from this publication
    schemas = [relation.schema for relation in publication.relations]
    _drop_snapshots(sql, schemas, keep=lambda number: number >= publication.number)


def publish(sql: Sql, published_schema: str, relations: Sequence[Relation], run_id: str) -> str:
    """Publish the relations dbt built (in their build schemas) as views in ``published_schema``;
    returns the sentence for dbt's log. ``sql`` runs one statement and returns its rows."""
    published = _quote(published_schema)
    sql(f"create schema if not exists {published}")
    previous, previous_tidy = _pointer(sql, published_schema)
    if previous.number and not previous_tidy:
        _tidy(sql, published_schema, previous)  # the last publish stopped in step 4
    number = previous.number + 1
    current = Publication(number, tuple(relations))
    schemas = [relation.schema for relation in (*relations, *previous.relations)]
    # Leftovers of a publish stopped before its switch.
    _drop_snapshots(sql, schemas, keep=lambda kept: kept <= previous.number)

    # 1. Snapshot: tables renamed (seeds copied), then the views over the snapshots.
    views = {relation: _view_text(sql, relation.quoted) for relation in relations if relation.kind == "view"}
    for relation in relations:
        if relation.kind == "seed":
            sql(f"create table {relation.snapshot(number)} using parquet as select * from {relation.quoted}")
        elif relation.kind == "table":
            sql(f"alter table {relation.quoted} rename to {relation.snapshot(number)}")
    for relation in _in_dependency_order(views):
        sql(f"create view {relation.snapshot(number)} as {rewrite_view_text(views[relation], relations, number)}")

    # 2. Stage: every published view reads N once the pointer says N, P until then.
    if previous.number == 0:
        sql(_pointer_sql(published, previous, "", tidy=True))
    pointer = f"(select publication from {published}.{POINTER})"
    existing, existing_views = _names(sql, published_schema), _views(sql, published_schema)
    before = {relation.name.lower(): relation for relation in previous.relations}
    for relation in relations:
        name, snapshot = relation.name.lower(), relation.snapshot(number)
        body = f"select * from {snapshot} where {pointer} = {number}"
        if name in before:
            old = before[name].snapshot(previous.number)
            body += f" union all select {_shaped_as(sql, old, snapshot)} from {old} where {pointer} <> {number}"
        elif name in existing and name not in existing_views:
            # A table written in place by a build before write-audit-publish: replaced once.
            sql(f"drop table {published}.{_quote(name)}")
        sql(f"create or replace view {published}.{_quote(name)} as {body}")
    for name in sorted(set(before) - {relation.name.lower() for relation in relations}):
        old = before[name].snapshot(previous.number)
        sql(f"create or replace view {published}.{_quote(name)} as select * from {old} where {pointer} <> {number}")

    # 3. Switch: one catalog operation moves every reader from P to N.
    sql(_pointer_sql(published, current, run_id, tidy=False))

    # 4. Tidy, then the build schemas' names usable by a partial run (views over the snapshots).
    _tidy(sql, published_schema, current)
    sql(_pointer_sql(published, current, run_id, tidy=True))
    for relation in relations:
        if relation.kind == "table":
            sql(f"create view {relation.quoted} as select * from {relation.snapshot(number)}")
    return (
        f"Published: schema {published_schema} now shows this build "
        f"(publication {number}; every model and test passed)."
    )
