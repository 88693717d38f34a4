"""Numbers as people read them in their language: the decimal separator and the thousands
grouping of the active locale (config/formats), the same digits in every language."""

from decimal import Decimal

from django.utils.formats import number_format


def localized_number(value, decimals: int | None = None, *, grouping: bool = True) -> str:
    """`value` rounded to `decimals` places (as Python rounds: 354.887 at 0 reads "355"), or
    at most four places with trailing zeros dropped when `decimals` is None, in the active
    locale's separators: "1,234.5" in English, "1 234,5" in French. Integers read without
    decimals."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    if decimals is None:
        if isinstance(value, int):
            return number_format(value, use_l10n=True)
        text = f"{value:.4f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.{decimals}f}"
    places = len(text.partition(".")[2])
    return number_format(Decimal(text), decimal_pos=places, use_l10n=True, force_grouping=grouping)
