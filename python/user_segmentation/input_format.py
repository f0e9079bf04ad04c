"""The input format and the feature catalogue, as declared once in ``dbt_project.yml``.

``vars.input_format`` (columns, levels, bands, interests, numeric ranges) and
``vars.feature_catalog`` (feature labels, units, decimals, segment-name words) are the one
declaration of the public format. The SQL side reads them with ``var()`` in
``macros/input_format.sql``; Python (the input-file plugin, the generator, the report) reads
them here. ``tests/python/test_input_format.py`` checks that both sides see the same values.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "BANDS",
    "COLUMNS",
    "DIMENSIONS",
    "ENCODINGS",
    "FEATURES",
    "HEADERS",
    "HEADER_BY_KEY",
    "INTERESTS",
    "LEVELS",
    "NUMERIC_COLUMNS",
    "NUMERIC_RULES",
    "NumericRule",
    "FeatureLabel",
    "FileFormat",
    "LOG_FORMATS",
    "PROFILES",
    "CATEGORY_SHARE_PREFIX",
    "declaration",
    "feature_label",
    "normalise_header",
    "project_dir",
]


@dataclass(frozen=True)
class NumericRule:
    """The valid range of a numeric input column (bounds inclusive, None = unbounded)."""

    minimum: float | None
    maximum: float | None
    whole: bool
    hint: str


@dataclass(frozen=True)
class FeatureLabel:
    """How people read a feature: its label, unit, decimals, and the words for high and low."""

    label: str
    unit: str
    decimals: int
    high: str
    low: str
    # The input columns the feature is computed from (an engineered feature: several).
    inputs: tuple[str, ...] = ()


def project_dir() -> Path:
    """The dbt project: ``DBT_PROJECT_DIR`` if set, else the repository this package sits in."""
    configured = os.environ.get("DBT_PROJECT_DIR")
    if configured and (Path(configured) / "dbt_project.yml").is_file():
        return Path(configured)
    return Path(__file__).resolve().parents[2]


@cache
def declaration(project: Path | None = None) -> dict[str, Any]:
    """``vars.input_format`` and ``vars.feature_catalog`` of the project's ``dbt_project.yml``."""
    path = (project or project_dir()) / "dbt_project.yml"
    try:
        project_vars = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("vars") or {}
    except OSError as err:
        raise ValueError(f"cannot read the input format from {path}: {err.strerror}") from None
    missing = [name for name in ("input_format", "feature_catalog") if name not in project_vars]
    if missing:
        raise ValueError(f"{path}: vars {', '.join(missing)} missing (the input format is declared there)")
    return {
        "input_format": project_vars["input_format"],
        "feature_catalog": project_vars["feature_catalog"],
        "log_formats": project_vars.get("log_formats") or {},
        "activity_feature_catalog": project_vars.get("activity_feature_catalog") or {},
    }


def normalise_header(name: str) -> str:
    """Fold a header for matching: case, spaces, underscores and punctuation do not count.

    ``User_ID``, ``user id`` and ``"User ID "`` all fold to ``userid``.
    """
    return re.sub(r"[^0-9a-z]+", "", name.lower())


_FORMAT = declaration()["input_format"]
# The profile features, then the activity features (known when an activity log is given).
_CATALOG = {**declaration()["feature_catalog"], **declaration()["activity_feature_catalog"]}
# An event category's share feature: category_share__<slug> (macro feature_catalog).
CATEGORY_SHARE_PREFIX = "category_share__"

# (header in the file, snake_case name used everywhere after staging)
COLUMNS: tuple[tuple[str, str], ...] = tuple((c["header"], c["name"]) for c in _FORMAT["columns"])
HEADERS: tuple[str, ...] = tuple(header for header, _ in COLUMNS)
HEADER_BY_KEY: dict[str, tuple[str, str]] = {normalise_header(header): (header, name) for header, name in COLUMNS}
LEVELS: dict[str, tuple[str, ...]] = {dim: tuple(spec["levels"]) for dim, spec in _FORMAT["levels"].items()}
DIMENSIONS: dict[str, str] = {dim: spec["label"] for dim, spec in _FORMAT["levels"].items()}
INTERESTS: tuple[str, ...] = tuple(_FORMAT["interests"])
NUMERIC_RULES: dict[str, NumericRule] = {
    name: NumericRule(rule.get("min"), rule.get("max"), bool(rule.get("whole", False)), rule.get("hint", ""))
    for name, rule in _FORMAT["numeric_columns"].items()
}
NUMERIC_COLUMNS: tuple[str, ...] = tuple(NUMERIC_RULES)
BANDS: dict[str, dict[str, tuple[float | None, float | None]]] = {
    dim: {level: (bounds[0], bounds[1]) for level, bounds in levels.items()} for dim, levels in _FORMAT["bands"].items()
}
ENCODINGS: dict[str, str] = dict(_FORMAT.get("encodings") or {"utf-8": "utf-8"})
FEATURES: dict[str, FeatureLabel] = {
    name: FeatureLabel(
        spec["label"],
        spec["unit"],
        int(spec["decimals"]),
        spec["high"],
        spec["low"],
        tuple(spec.get("inputs") or (name,)),
    )
    for name, spec in _CATALOG.items()
}


def feature_label(feature: str) -> FeatureLabel:
    """How people read a feature: the catalogue's entry; for an event category's share
    (``category_share__<slug>``) the words the SQL side uses (macro ``feature_catalog``);
    otherwise the feature's own name."""
    if feature in FEATURES:
        return FEATURES[feature]
    if feature.startswith(CATEGORY_SHARE_PREFIX):
        category = feature[len(CATEGORY_SHARE_PREFIX) :].replace("_", " ")
        return FeatureLabel(
            f"Share of events in {category}",
            "share of events",
            2,
            f"Mostly {category}",
            f"Little {category}",
            ("event_categories",),
        )
    return FeatureLabel(feature, "", 3, "", "", (feature,))


@dataclass(frozen=True)
class FileFormat:
    """The columns of one kind of input file, as :mod:`user_segmentation.input_file` reads it.

    ``columns``: (header in the file, snake_case name), in reading order; ``optional``: names
    a file may lack (read as null); ``typed``: Parquet columns read with their own type (the
    rest are read as text, and typed in SQL); ``decimal``: columns whose decimal comma (in a
    semicolon-delimited CSV) becomes a point.
    """

    name: str
    columns: tuple[tuple[str, str], ...]
    optional: tuple[str, ...] = ()
    typed: tuple[str, ...] = ()
    decimal: tuple[str, ...] = ()

    @property
    def header_by_key(self) -> dict[str, tuple[str, str]]:
        return {normalise_header(header): (header, name) for header, name in self.columns}

    @property
    def required(self) -> tuple[tuple[str, str], ...]:
        return tuple((header, name) for header, name in self.columns if name not in self.optional)


# The profile file (vars.input_format).
PROFILES = FileFormat("profiles", COLUMNS, (), NUMERIC_COLUMNS + ("user_id",), NUMERIC_COLUMNS)
# Interaction and order logs (vars.log_formats): read as text but for Parquet ids and amounts.
LOG_FORMATS: dict[str, FileFormat] = {
    name: FileFormat(
        name,
        tuple((c["header"], c["name"]) for c in spec["columns"]),
        tuple(c["name"] for c in spec["columns"] if c.get("optional")),
        # Parquet ids and amounts keep their type (the others are read as text): staging casts
        # them to text only for rejected records.
        ("user_id", *(spec.get("decimal_columns") or ())),
        tuple(spec.get("decimal_columns") or ()),
    )
    for name, spec in declaration()["log_formats"].items()
}
