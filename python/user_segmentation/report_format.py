"""Numbers for people, one set of rules for the whole report (tables and charts alike).

Thousands separators, percentages with one decimal, z-scores with an explicit sign and a real
minus sign (U+2212), indexes as whole numbers.
"""

from __future__ import annotations

MINUS = "\u2212"


def _minus(text: str) -> str:
    return text.replace("-", MINUS)


def fmt_int(value: float | int | None) -> str:
    """1234567 -> "1,234,567"."""
    if value is None:
        return "–"
    return _minus(f"{round(value):,}")


def fmt_number(value: float | None, decimals: int = 1) -> str:
    """0.1234 -> "0.12" (decimals=2); thousands separated; real minus sign."""
    if value is None:
        return "–"
    return _minus(f"{value:,.{decimals}f}")


def fmt_pct(value: float | None, decimals: int = 1) -> str:
    """A share 0-1 as a percentage: 0.352 -> "35.2%"."""
    if value is None:
        return "–"
    return _minus(f"{100 * value:,.{decimals}f}%")


def fmt_z(value: float | None, decimals: int = 1) -> str:
    """A z-score with an explicit sign: 1.23 -> "+1.2", -0.44 -> "−0.4", 0 -> "0.0"."""
    if value is None:
        return "–"
    text = f"{value:+.{decimals}f}"
    if float(text) == 0:
        return f"{0:.{decimals}f}"
    return _minus(text)


def fmt_index(value: float | None) -> str:
    """An index (100 = like everybody) as a whole number: 151.6 -> "152"."""
    if value is None:
        return "–"
    return fmt_int(value)
