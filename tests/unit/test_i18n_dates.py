"""Dates as Vietnamese documents write them (app/i18n/dates.py)."""

import datetime

from app.i18n.dates import format_vietnamese_date


def test_vietnamese_date():
    assert format_vietnamese_date(datetime.date(2025, 3, 5)) == "ngày 5 tháng 3 năm 2025"
    assert format_vietnamese_date(datetime.date(2024, 12, 31)) == "ngày 31 tháng 12 năm 2024"
