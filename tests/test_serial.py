"""Google's serial numbers, read and written by one conversion."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl.utils.datetime import from_excel, to_excel

from automations.workbook.serial import from_serial, to_serial


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (45000, dt.datetime(2023, 3, 15)),
        (45000.5, dt.datetime(2023, 3, 15, 12)),
        (45000.770833333336, dt.datetime(2023, 3, 15, 18, 30)),
        (45000.99999999, dt.datetime(2023, 3, 16)),  # a second short of midnight rounds up
        (2, dt.datetime(1900, 1, 1)),
        (60, dt.datetime(1900, 2, 28)),
        (61, dt.datetime(1900, 3, 1)),
    ],
)
def test_serials_count_days_from_30_december_1899(serial, expected):
    """A serial is days since 1899-12-30, its fraction the time rounded to the second, both ways."""
    assert from_serial(serial) == expected
    assert to_serial(expected) == pytest.approx(serial, abs=1e-5)
    assert to_serial(expected.date()) == float(int(serial + 1e-5))


def test_openpyxl_agrees_from_march_1900_only():
    """Excel's count (openpyxl) keeps a 29 February 1900: it agrees with Google's from serial 61 on."""
    for serial in (61, 45000, 45000.5):
        assert from_excel(serial) == from_serial(serial)
        assert to_excel(from_serial(serial)) == to_serial(from_serial(serial))
    assert from_excel(59) == dt.datetime(1900, 2, 28) != from_serial(59)


def test_an_aware_datetime_in_a_computed_cell_compares_by_its_wall_time():
    """A time-zone-aware value read back in a computed column (« Échéance ») is compared with
    the date the jobs want, not a crash mixing naive and aware datetimes."""
    from zoneinfo import ZoneInfo

    from automations.workbook.base import same_value

    paris = dt.datetime(2026, 12, 23, tzinfo=ZoneInfo("Europe/Paris"))
    assert to_serial(paris) == to_serial(dt.datetime(2026, 12, 23))
    assert same_value(paris, dt.date(2026, 12, 23))
    assert not same_value(paris, dt.date(2026, 12, 24))
