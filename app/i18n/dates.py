"""Dates as Vietnamese documents write them. Pure: Babel, no Flask."""

import datetime

from babel.dates import format_date

VIETNAMESE_DATE_PATTERN = "'ngày' d 'tháng' M 'năm' y"


def format_vietnamese_date(d: datetime.date) -> str:
    """`date(2025, 3, 5)` -> "ngày 5 tháng 3 năm 2025", as a certificate prints it."""
    return format_date(d, VIETNAMESE_DATE_PATTERN, locale="vi")
