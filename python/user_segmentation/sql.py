"""Small helpers for building SQL text safely."""

from __future__ import annotations

__all__ = ["quote_identifier", "quote_literal"]


def quote_literal(value: str) -> str:
    """A SQL string literal: single quotes doubled, so no value can end the string early."""
    return "'" + str(value).replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    """A SQL identifier in double quotes, with embedded double quotes doubled."""
    return '"' + str(name).replace('"', '""') + '"'
