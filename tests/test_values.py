"""Parsing of French cell values: dates, times, amounts, yes/no, choices, contact data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from automations import schema
from automations.formatting import format_date_long, format_money, format_number
from automations.model.contact import parse_email, parse_phone, parse_siret
from automations.model.values import (
    ValueProblem,
    clean_text,
    implausible_date,
    parse_amount,
    parse_bool,
    parse_choice,
    parse_date,
    parse_datetime,
    parse_int,
    parse_number,
    parse_percent,
    parse_time,
    show_value,
)

JULY_2 = dt.date(2024, 7, 2)


class TestParseDate:
    @pytest.mark.parametrize(
        "value",
        [
            "2024-07-02",
            "02/07/2024",
            "2/7/24",
            "02.07.2024",
            "02-07-2024",
            " 02/07/2024 ",
            "'02/07/2024",
            "2 juillet 2024",
            "mardi 2 juillet 2024",
            "2 juil. 2024",
            "2024-07-02T18:30:00",
            "2024-07-02 00:00:00",
            45475,
            45475.0,
            45475.75,
            dt.date(2024, 7, 2),
            dt.datetime(2024, 7, 2, 15, 0),
        ],
    )
    def test_reads_every_accepted_spelling(self, value: object) -> None:
        """Each documented way of writing 2 July 2024 gives that date."""
        assert parse_date(value) == JULY_2

    def test_reads_first_of_month_written_1er(self) -> None:
        """``1er mars 2024`` is 1 March 2024."""
        assert parse_date("1er mars 2024") == dt.date(2024, 3, 1)

    def test_reads_accented_month(self) -> None:
        """Month names match with or without accents."""
        assert parse_date("15 août 2024") == parse_date("15 aout 2024") == dt.date(2024, 8, 15)

    def test_reads_29_february_of_leap_year(self) -> None:
        """29/02/2024 exists."""
        assert parse_date("29/02/2024") == dt.date(2024, 2, 29)

    def test_impossible_day_gives_the_documented_sentence(self) -> None:
        """31/02/2024 gives the sentence of the contract, naming the column."""
        with pytest.raises(ValueProblem) as caught:
            parse_date("31/02/2024")
        assert caught.value.for_column("Adhésion le") == (
            "Date illisible dans « Adhésion le » : « 31/02/2024 ». Saisissez une date au format JJ/MM/AAAA."
        )

    def test_year_alone_asks_for_a_full_date(self) -> None:
        """A number that looks like a year is not taken for a serial date of 1905."""
        with pytest.raises(ValueProblem, match="seulement une année"):
            parse_date(2024)

    @pytest.mark.parametrize("value", [-5, 0, 10**7, 1e30, float("nan"), float("inf")])
    def test_absurd_serials_are_refused(self, value: object) -> None:
        """Serials outside 1900–2199 are a problem, not a date."""
        with pytest.raises(ValueProblem):
            parse_date(value)

    def test_time_in_date_column_is_refused(self) -> None:
        """A time cell is not a date."""
        with pytest.raises(ValueProblem, match="Heure au lieu d'une date"):
            parse_date(dt.time(18, 30))


class TestDatesOutOfReach:
    @pytest.mark.parametrize(
        "value",
        [
            dt.date(9999, 12, 31),
            dt.datetime(9999, 12, 31),
            dt.datetime(1, 1, 1),
            dt.date(1899, 12, 31),
            2958466,
            2958465,
            -1,
            -693594.0,
            "31/12/9999",
            "01/01/0001",
        ],
        ids=repr,
    )
    @pytest.mark.parametrize("parse", [parse_date, parse_datetime], ids=lambda f: f.__name__)
    def test_every_way_a_date_arrives_has_the_same_bounds(self, parse, value):
        """A date cell, a datetime, a serial number or a text beyond 1900–2199 is « Date hors limites »."""
        with pytest.raises(ValueProblem, match="^Date hors limites.*Vérifiez l'année"):
            parse(value)

    def test_the_bounds_themselves_are_read(self):
        """01/01/1900 and 31/12/2199 are the first and last dates read, whatever their form."""
        assert parse_date(dt.datetime(2199, 12, 31, 23, 59)) == dt.date(2199, 12, 31)
        assert parse_datetime(dt.date(1900, 1, 1)) == dt.date(1900, 1, 1)


class TestParseDatetime:
    @pytest.mark.parametrize(
        "value",
        [
            "02/07/2024 18:30",
            "2024-07-02 18h30",
            "02/07/2024 à 18h30",
            "2024-07-02T18:30:00",
            dt.datetime(2024, 7, 2, 18, 30),
            45475 + 18.5 / 24,
        ],
    )
    def test_reads_date_and_time(self, value: object) -> None:
        """Date and time in any accepted form give a datetime."""
        assert parse_datetime(value) == dt.datetime(2024, 7, 2, 18, 30)

    @pytest.mark.parametrize("value", ["02/07/2024", 45475, dt.datetime(2024, 7, 2)])
    def test_date_without_time_stays_a_date(self, value: object) -> None:
        """Without a time (or at exactly midnight) the result is a plain date: the whole day."""
        result = parse_datetime(value)
        assert result == JULY_2 and not isinstance(result, dt.datetime)

    def test_bad_time_after_date_is_a_problem(self) -> None:
        """A date followed by nonsense is refused rather than silently truncated."""
        with pytest.raises(ValueProblem):
            parse_datetime("02/07/2024 tard le soir")


class TestParseTime:
    @pytest.mark.parametrize(
        "value, expected",
        [
            ("18:30", dt.time(18, 30)),
            ("18h30", dt.time(18, 30)),
            ("18h", dt.time(18)),
            ("18 h 30", dt.time(18, 30)),
            ("18:30:00", dt.time(18, 30)),
            (0.75, dt.time(18)),
            (18, dt.time(18)),
            (dt.time(9, 5), dt.time(9, 5)),
        ],
    )
    def test_reads_times(self, value: object, expected: dt.time) -> None:
        """Typed times, fractions of a day and time cells are read."""
        assert parse_time(value) == expected

    @pytest.mark.parametrize("value", ["25:00", "18:75", "soir", 30, -0.5, "9h5"])
    def test_refuses_impossible_times(self, value: object) -> None:
        """Hours beyond 23, minutes beyond 59 and words are problems."""
        with pytest.raises(ValueProblem):
            parse_time(value)


class TestParseAmount:
    @pytest.mark.parametrize(
        "value",
        [
            "1 234,50 €",
            "1 234,50",
            "1\u00a0234,50",
            "1\u202f234,50",
            "1234.50",
            "1234,5",
            "1.234,50",
            "1,234.50",
            "1234,50 EUR",
            "€1234,50",
            "1 234,50 € HT",
            1234.5,
            Decimal("1234.50"),
            "'1234,50",
        ],
    )
    def test_reads_french_and_english_spellings(self, value: object) -> None:
        """Grouping spaces (normal, non-breaking, narrow), commas, dots and € are understood."""
        assert parse_amount(value) == Decimal("1234.50")

    def test_rounds_number_cells_to_the_cent(self) -> None:
        """Binary noise of a number cell is rounded half up to the cent."""
        assert parse_amount(170.00000000001) == Decimal("170.00")
        assert parse_amount(0.125) == Decimal("0.13")

    def test_whole_number_cell(self) -> None:
        """An integer cell is an amount in euros."""
        assert parse_amount(170) == Decimal("170.00")

    def test_negative_fee_is_refused(self) -> None:
        """A negative amount is a problem unless explicitly allowed."""
        with pytest.raises(ValueProblem, match="Montant négatif"):
            parse_amount("-50")
        assert parse_amount("-50", allow_negative=True) == Decimal("-50.00")

    @pytest.mark.parametrize("value", ["1.234", "12,345"])
    def test_three_decimals_are_ambiguous(self, value: str) -> None:
        """``1.234`` could be 1 234 or 1,234: the person is asked to write it clearly."""
        with pytest.raises(ValueProblem, match="deux décimales"):
            parse_amount(value)

    def test_gratuit_is_zero(self) -> None:
        """``gratuit`` reads as 0 €."""
        assert parse_amount("Gratuit") == Decimal("0.00")


class TestParseNumbers:
    def test_number_with_unit(self) -> None:
        """``16,5 m²`` is 16.5."""
        assert parse_number("16,5 m²") == Decimal("16.5")

    def test_whole_number_prints_plainly(self) -> None:
        """Whole numbers come back without exponent or trailing zeros."""
        assert str(parse_number("20,00")) == "20"

    def test_integer_refuses_fractions(self) -> None:
        """A capacity of 2,5 is a problem."""
        with pytest.raises(ValueProblem, match="entier"):
            parse_int("2,5")
        assert parse_int(6.0) == 6

    @pytest.mark.parametrize("value", ["20", "20 %", 20, 0.2, "20,0"])
    def test_percent_from_text_or_percent_cell(self, value: object) -> None:
        """20, ``20 %`` and a percent-formatted cell (0.2) all mean 20 %."""
        assert parse_percent(value) == Decimal(20)


class TestParseBool:
    @pytest.mark.parametrize("value", ["oui", "OUI", "x", "X", "vrai", "TRUE", "yes", "1", 1, True, "✓"])
    def test_true_spellings(self, value: object) -> None:
        """Every documented way of saying yes is True."""
        assert parse_bool(value) is True

    @pytest.mark.parametrize("value", ["non", "", "   ", None, "faux", "FALSE", "no", "0", 0, False])
    def test_false_spellings(self, value: object) -> None:
        """Every documented way of saying no, and a blank cell, is False."""
        assert parse_bool(value) is False

    @pytest.mark.parametrize("value", ["peut-être", 2, "ouii"])
    def test_anything_else_is_a_problem(self, value: object) -> None:
        """Unknown words are a problem with the accepted spellings in the hint."""
        with pytest.raises(ValueProblem, match="oui"):
            parse_bool(value)


class TestParseChoice:
    @pytest.mark.parametrize(
        "value, expected",
        [
            ("HEBERGE", "hébergé"),
            ("Hébergé ", "hébergé"),
            ("beneficiaire", "bénéficiaire"),
            ("hébergée", "hébergé"),
            ("Membre  de DROIT", "membre de droit"),
        ],
    )
    def test_categories_ignore_case_accents_and_endings(self, value: str, expected: str) -> None:
        """Categories match whatever the case, accents, spaces or feminine/plural ending."""
        assert parse_choice(value, schema.CATEGORIES) == expected

    def test_forfait_returns_canonical_capitals(self) -> None:
        """``premium`` gives ``PREMIUM``."""
        assert parse_choice("premium", schema.FORFAITS) == "PREMIUM"

    @pytest.mark.parametrize(
        "value",
        ["Crescendo - Atelier pratique", "crescendo – atelier pratique", "Crescendo—Atelier Pratique"],
    )
    def test_event_types_accept_any_dash(self, value: str) -> None:
        """Hyphen, en dash and em dash are the same in event types."""
        assert parse_choice(value, schema.EVENT_TYPES) == "Crescendo – Atelier pratique"

    def test_curly_apostrophe(self) -> None:
        """A typographic apostrophe matches a straight one."""
        assert parse_choice("Consultation d’experts", schema.EVENT_TYPES) == "Consultation d'experts"

    def test_inclusive_spelling(self) -> None:
        """``Présidente`` matches ``Président·e``."""
        assert parse_choice("Présidente", schema.BOARD_FUNCTIONS) == "Président·e"

    def test_aliases(self) -> None:
        """Aliases map other words to a canonical choice."""
        assert (
            parse_choice(
                "Administratrice", schema.BOARD_FUNCTIONS, aliases={"Administratrice": "Administrateur·rice"}
            )
            == "Administrateur·rice"
        )

    def test_unknown_value_lists_the_choices(self) -> None:
        """An unknown value is a problem whose hint lists the choices."""
        with pytest.raises(ValueProblem) as caught:
            parse_choice("adhérent", schema.CATEGORIES)
        assert "hébergé, bénéficiaire, membre de droit" in str(caught.value)


class TestContactData:
    def test_email_is_normalised(self) -> None:
        """The domain of an address is lower-cased; a display name is dropped."""
        assert parse_email("Jean <jean.dupont@Exemple.FR>") == "jean.dupont@exemple.fr"

    @pytest.mark.parametrize("value", ["jean.dupont", "jean@", "a@b@c.fr", "a@x.fr; b@y.fr", 12])
    def test_bad_emails(self, value: object) -> None:
        """Addresses that cannot receive mail are problems."""
        with pytest.raises(ValueProblem):
            parse_email(value)

    @pytest.mark.parametrize(
        "value, expected",
        [
            ("06 12 34 56 78", "06 12 34 56 78"),
            ("+33612345678", "06 12 34 56 78"),
            (612345678, "06 12 34 56 78"),
            ("+44 20 7946 0958", "+44 20 7946 0958"),
        ],
    )
    def test_phones_french_and_international(self, value: object, expected: str) -> None:
        """French numbers print nationally, others internationally; a lost leading 0 is fine."""
        assert parse_phone(value) == expected

    def test_bad_phone(self) -> None:
        """Too short a number is a problem."""
        with pytest.raises(ValueProblem, match="téléphone"):
            parse_phone("12")

    def test_siret_checksum(self) -> None:
        """A valid SIRET is kept as 14 digits; one wrong digit breaks the checksum."""
        assert parse_siret("732 829 320 00074") == "73282932000074"
        with pytest.raises(ValueProblem, match="clé de contrôle"):
            parse_siret("73282932000075")

    def test_siret_wrong_length(self) -> None:
        """A SIRET of the wrong length says how many digits it has."""
        with pytest.raises(ValueProblem, match="13 chiffres au lieu de 14"):
            parse_siret("7328293200007")


BAD_INPUTS = [
    "x" * 10_000,
    "🎉",
    "😀 02/07/2024",
    "=SUM(A1)",
    '=HYPERLINK("http://evil")',
    "'",
    "''",
    "\u00a0",
    "NaN",
    "inf",
    "-",
    "€€€",
    "1e400",
    "02/07/2024" * 50,
    "\x00",
    float("nan"),
    float("-inf"),
    10**40,
    -1,
    True,
    object(),
    [1, 2],
    {"a": 1},
    b"bytes",
    dt.timedelta(days=1),
]
PARSERS = [
    parse_date,
    parse_datetime,
    parse_time,
    parse_amount,
    parse_number,
    parse_int,
    parse_percent,
    parse_bool,
    parse_email,
    parse_phone,
    parse_siret,
    lambda value: parse_choice(value, schema.CATEGORIES),
    lambda value: parse_choice(value, schema.EVENT_TYPES),
]


class TestBadInputCorpus:
    @pytest.mark.parametrize("parser", PARSERS)
    def test_never_raises_anything_but_value_problem(self, parser: object) -> None:
        """Every parser answers every bad input with a value or a ValueProblem, never a crash."""
        for value in BAD_INPUTS:
            try:
                parser(value)  # type: ignore[operator]
            except ValueProblem as problem:
                message = problem.for_column("Colonne")
                assert message.endswith(".") and "« Colonne »" in message
                assert len(message) < 600

    def test_formula_text_is_named_as_such(self) -> None:
        """A formula typed as text is explained as a formula."""
        with pytest.raises(ValueProblem, match="Formule"):
            parse_amount("=SUM(A1)")

    def test_long_cell_is_shortened_in_the_message(self) -> None:
        """A 10,000-character cell is quoted in 40 characters at most."""
        with pytest.raises(ValueProblem) as caught:
            parse_date("x" * 10_000)
        assert len(caught.value.shown) <= 40 and caught.value.shown.endswith("…")

    def test_leading_apostrophe_is_stripped(self) -> None:
        """A leading apostrophe (forced text) does not hide the value."""
        assert parse_date("'2024-07-02") == JULY_2
        assert parse_amount("'170") == Decimal("170.00")
        assert clean_text("'M0001") == "M0001"

    def test_show_value_keeps_one_line(self) -> None:
        """Line breaks in a quoted value are flattened."""
        assert show_value("a\nb") == "a b"


class TestImplausibleDates:
    def test_before_2000(self) -> None:
        """A date before 2000 is implausible."""
        assert implausible_date(dt.date(1924, 7, 2), JULY_2) is not None

    def test_far_future(self) -> None:
        """A date more than two years ahead is implausible; next year is not."""
        assert implausible_date(dt.date(2034, 7, 2), JULY_2) is not None
        assert implausible_date(dt.date(2025, 7, 2), JULY_2) is None


class TestFormatting:
    def test_money_whole_and_cents(self) -> None:
        """Whole euros print without decimals, others with two and French grouping."""
        assert format_money(Decimal("170.00")) == "170 €"
        assert format_money(Decimal("1234.5")) == "1\u202f234,50 €"

    def test_number_and_long_date(self) -> None:
        """Numbers use a decimal comma; the first of a month is written ``1er``."""
        assert format_number(Decimal("16.50")) == "16,5"
        assert format_date_long(dt.date(2024, 3, 1)) == "1er mars 2024"
        assert format_date_long(JULY_2) == "2 juillet 2024"


class TestEmailFastPath:
    """Plain addresses skip email-validator; the outcome must be the one it gives."""

    CASES = (
        "jean.dupont@gmail.com",
        "A.B@Label-Xyz.FR",
        "x+tag@sub.domain.org",
        "o'neil@ex-ample.co.uk",
        "a..b@x.fr",
        ".a@x.fr",
        "a.@x.fr",
        "a@-x.fr",
        "a@x-.fr",
        "a@x.f",
        "a@x.123",
        "a@b.local",
        "a@mail.test",
        "a@x..fr",
        "é@x.fr",
        "a@exämple.fr",
        "a" * 65 + "@x.fr",
        "a@" + "b" * 64 + ".fr",
        "a b@x.fr",
        "a@x,fr",
        "a@localhost",
        "a@x.onion",
        "jean@exemple,fr",
        "sans-arobase.fr",
        '"a@b"',
        '"a b"@x.fr',
        "a@[127.0.0.1]",
        "a@x_y.fr",
        "a@x.fr ",
        "a@x.fr\n",
        "a@x.fr;b@y.fr",
        "a@",
        "@x.fr",
    )

    def test_the_fast_path_agrees_with_email_validator(self):
        """For plain and tricky addresses alike, the result equals email-validator's."""
        from email_validator import EmailNotValidError, validate_email

        from automations.model.contact import _email

        for text in self.CASES:
            try:
                expected = validate_email(text, check_deliverability=False).normalized
            except EmailNotValidError:
                expected = None
            assert _email(text) == expected, text

    def test_every_ascii_character_in_the_domain_gets_email_validators_verdict(self):
        """The addresses refused without the library (no @-sign, or an ASCII character no
        domain holds) are refused by it too; the others get its answer."""
        from email_validator import EmailNotValidError, validate_email

        from automations.model.contact import _email

        for code in range(128):
            for text in (f"a@x{chr(code)}y.fr", f"a@x.fr{chr(code)}", f"a{chr(code)}b.fr"):
                try:
                    expected = validate_email(text, check_deliverability=False).normalized
                except EmailNotValidError:
                    expected = None
                assert _email(text) == expected, repr(text)


class TestPhoneFastPath:
    def test_french_national_numbers_get_the_verdict_and_format_of_the_full_path(self):
        """For 01–09 numbers, valid or not, the fast path equals phonenumbers.parse + format."""
        import random

        import phonenumbers

        from automations.model.contact import _phone

        rng = random.Random(7)
        for _ in range(3000):
            digits = f"0{rng.randrange(1, 10)}{rng.randrange(10**8):08d}"
            shown = " ".join(digits[i : i + 2] for i in range(0, 10, 2)) if rng.random() < 0.5 else digits
            parsed = phonenumbers.parse(digits, "FR")
            expected = (
                phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
                if phonenumbers.is_valid_number(parsed)
                else None
            )
            assert _phone(shown) == expected, shown
