"""Numbers for people, one set of rules for the whole report (tables, cards and charts alike).

- counts: thousands separators, ``1,234``
- shares: a percentage with one decimal, ``35.2%``
- z-scores: one decimal with an explicit sign and a real minus sign (U+2212), ``+1.2`` / ``−0.6``
- indexes (100 = like everybody): whole numbers, ``152``
- silhouettes: three decimals, ``0.664``; stability (ARI): two decimals, ``0.83``

Every helper returns an en dash for a missing value, never writes ``-0.0`` and uses U+2212
for negative numbers. They are registered as Jinja filters by :mod:`user_segmentation.report`.
"""

from __future__ import annotations

__all__ = [
    "FILTERS",
    "MINUS",
    "MISSING",
    "fmt_ari",
    "fmt_index",
    "fmt_int",
    "fmt_number",
    "fmt_pct",
    "fmt_silhouette",
    "fmt_z",
]

MINUS = "\u2212"
MISSING = "\u2013"


def _signless_zero(text: str) -> str:
    """ "-0.0" -> "0.0" (a rounded negative zero carries no sign)."""
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        return text[1:]
    return text


def _minus(text: str) -> str:
    return _signless_zero(text).replace("-", MINUS)


def fmt_int(value: float | None) -> str:
    """1234567 -> "1,234,567"."""
    if value is None:
        return MISSING
    return _minus(f"{round(value):,}")


def fmt_number(value: float | None, decimals: int = 1) -> str:
    """0.1234 -> "0.12" (decimals=2); thousands separated; real minus sign."""
    if value is None:
        return MISSING
    return _minus(f"{value:,.{decimals}f}")


def fmt_pct(value: float | None, decimals: int = 1) -> str:
    """A share 0-1 as a percentage: 0.352 -> "35.2%"."""
    if value is None:
        return MISSING
    return _minus(f"{100 * value:,.{decimals}f}%")


def fmt_z(value: float | None, decimals: int = 1) -> str:
    """A z-score with an explicit sign: 1.23 -> "+1.2", -0.44 -> "−0.4", 0.01 -> "0.0"."""
    if value is None:
        return MISSING
    text = f"{value:+.{decimals}f}"
    if float(text) == 0:
        return f"{0:.{decimals}f}"
    return _minus(text)


def fmt_index(value: float | None) -> str:
    """An index (100 = like everybody) as a whole number: 151.6 -> "152"."""
    return fmt_int(value)


def fmt_silhouette(value: float | None) -> str:
    """A silhouette score: three decimals, 0.6644 -> "0.664"."""
    return fmt_number(value, 3)


def fmt_ari(value: float | None) -> str:
    """A stability score (adjusted Rand index): two decimals, 0.8300 -> "0.83"."""
    return fmt_number(value, 2)


FILTERS = {
    "int": fmt_int,
    "num": fmt_number,
    "pct": fmt_pct,
    "z": fmt_z,
    "index": fmt_index,
    "sil": fmt_silhouette,
    "ari": fmt_ari,
}
