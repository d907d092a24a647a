"""The fast paths of parsing (phones, SIRETs, plausible dates) give exactly the slow paths' answers."""

from __future__ import annotations

import datetime as dt
import functools
import random
from unittest import mock

import pytest
from stdnum import luhn
from stdnum.fr import siret as stdnum_siret

from automations.model import contact, fast_ids, parsing
from automations.model.values import ValueProblem, implausible_date


def _slow_phone(text: str) -> str | None:
    """The phonenumbers path alone, the fast path switched off."""
    with mock.patch.object(fast_ids, "french_phone", lambda text: None):
        return contact._phone.__wrapped__(text)


def _shapes(national: str) -> list[str]:
    """``national`` (9 digits) typed the ways staff type it, well-formed or not."""
    pairs = [national[i : i + 2] for i in range(1, 9, 2)]
    zero = "0" + national
    return [
        f"0{national[0]} " + " ".join(pairs),
        f"+33 {national[0]} " + " ".join(pairs),
        f"0{national[0]}." + ".".join(pairs),
        zero,
        national,
        "+33" + national,
        f"0{national[0]}-" + "-".join(pairs),
        f"+33-{national[0]}." + " ".join(pairs),
        f"{national[0]} " + " ".join(pairs),
        f"0033 {national[0]} " + " ".join(pairs),
        f"+33 (0){national[0]} " + " ".join(pairs),
        f"+330{national}",
        zero[:-1],
        zero + "1",
        f"{zero[:4]}  {zero[4:]}",
        f"{zero[:2]} {zero[2:5]} {zero[5:]}",
    ]


def _phone_inputs() -> list[str]:
    rng = random.Random(25)
    inputs = []
    for prefix in range(100, 1000):  # every 3-digit start of a national number
        for _ in range(2):
            national = f"{prefix}{rng.randrange(10**6):06d}"
            shapes = _shapes(national)
            inputs.extend(rng.sample(shapes, 3))
    inputs += ["", "0", "+33", "+44 20 7946 0958", "06 12 34 56 7a", "06 12 34 56 78 ", "O6 12 34 56 78"]
    inputs += [
        "+33 6 12 34 56 78 90",
        "06 12 34 56 78 / 07 12 34 56 78",
        "０６ １２ ３４ ５６ ７８",
        "٠٦١٢٣٤٥٦٧٨",
    ]
    return inputs


def test_the_phone_fast_path_answers_as_phonenumbers_on_every_prefix():
    compared = accepted = 0
    for text in _phone_inputs():
        fast = fast_ids.french_phone(text)
        if fast is not None:
            accepted += 1
            assert fast == _slow_phone(text), text
        compared += 1
    assert accepted > compared / 4  # the fast path does take the common shapes


def test_parse_phone_is_the_same_with_and_without_the_fast_path():
    def outcome(value: object) -> str:
        contact._phone.cache_clear()
        try:
            return contact.parse_phone(value)
        except ValueProblem as problem:
            return f"problem: {problem.problem}"

    values: list[object] = [*_phone_inputs()[::7], 612345678, 612345678.0, 33612345678, 123, True, None]
    fast = [outcome(value) for value in values]
    with mock.patch.object(fast_ids, "french_phone", lambda text: None):
        slow = [outcome(value) for value in values]
    contact._phone.cache_clear()
    assert fast == slow


@pytest.mark.parametrize(
    "text",
    ["01 23 45 67 89", "+33 1 23 45 67 89", "06.12.34.56.78", "0612345678", "612345678", "+33612345678"],
)
def test_the_common_shapes_take_the_fast_path(text):
    assert fast_ids.french_phone(text) is not None


@functools.cache
def _siret_inputs() -> list[str]:
    rng = random.Random(2025)
    numbers = [f"{rng.randrange(10**14):014d}" for _ in range(5_000)]
    for _ in range(5_000):  # valid SIREN, then a valid or nearly valid SIRET
        siren = f"{rng.randrange(10**8):08d}"
        siren += luhn.calc_check_digit(siren)
        nic = f"{rng.randrange(10**4):04d}"
        full = siren + nic + luhn.calc_check_digit(siren + nic)
        numbers.append(full)
        numbers.append(full[:-1] + str((int(full[-1]) + rng.randrange(1, 10)) % 10))
    numbers += [f"356000000{rng.randrange(10**5):05d}" for _ in range(200)]
    numbers += ["35600000000048", "35600000000049", "00000000000000", "1234567890123", "١٢٣٤٥٦٧٨٩٠١٢٣٤"]
    return numbers


def test_the_siret_fast_path_answers_as_python_stdnum():
    accepted = 0
    for number in _siret_inputs():
        fast = fast_ids.siret_valid(number)
        if fast is not None:
            accepted += 1
            assert fast == stdnum_siret.is_valid(number), number
        elif number.isascii() and number.isdigit() and not number.startswith("356000000"):
            assert not stdnum_siret.is_valid(number), number  # every valid one is taken
    assert accepted > 5_000


def test_parse_siret_is_the_same_with_and_without_the_fast_path():
    def outcome(value: object) -> str:
        try:
            return contact.parse_siret(value)
        except ValueProblem as problem:
            return f"problem: {problem.problem}"

    values: list[object] = list(_siret_inputs()[::20])
    values += [f"{v[:3]} {v[3:6]} {v[6:9]} {v[9:]}" for v in _siret_inputs()[5_000:5_100]]
    values += [12345678901234, 1234567890123, 732829320.0, "732 829 320 00074", "", True]
    fast = [outcome(value) for value in values]
    with mock.patch.object(fast_ids, "siret_valid", lambda digits: None):
        slow = [outcome(value) for value in values]
    assert fast == slow


@pytest.mark.parametrize(
    "today", [dt.date(2026, 11, 23), dt.date(2024, 2, 29), dt.date(2025, 3, 1), dt.date(2000, 1, 1)]
)
def test_the_plausible_span_parsing_checks_first_is_implausible_dates(today):
    """``parsing`` checks a date against one span per run before asking ``implausible_date``:
    the span holds exactly the days it finds plausible, datetimes included."""
    earliest, latest = parsing._plausible_span(today)
    for edge in (earliest, latest):
        for offset in range(-3, 4):
            day = edge + dt.timedelta(days=offset)
            for value in (day, dt.datetime.combine(day, dt.time(23, 59))):
                inside = earliest <= day <= latest
                assert inside == (implausible_date(value, today) is None), value
