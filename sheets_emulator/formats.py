"""Locales, number formats and what USER_ENTERED makes of typed text.

Only what the emulator needs: the spreadsheet's locale decides how typed text becomes a
number, a date or a boolean, and how FORMATTED_VALUE writes numbers back. ``fr_FR`` and
``en_US``/``en_GB`` are modelled; any other locale behaves like ``en_US`` (a ``fr``-prefixed
one like ``fr_FR``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

EPOCH = dt.datetime(1899, 12, 30)
SPACES = " \u00a0\u202f"


@dataclass(frozen=True)
class NumberFormat:
    """A cell's number format: Google's type (DATE, TIME, DATE_TIME, NUMBER, PERCENT,
    CURRENCY, SCIENTIFIC, TEXT) and a spreadsheet pattern such as ``dd/mm/yyyy``."""

    type: str
    pattern: str

    @property
    def is_temporal(self) -> bool:
        return self.type in ("DATE", "TIME", "DATE_TIME")


@dataclass(frozen=True)
class Locale:
    code: str
    decimal: str
    group: str
    day_first: bool
    true: str
    false: str
    months: tuple[str, ...]
    days: tuple[str, ...]
    date_pattern: str
    datetime_pattern: str
    time_pattern: str
    currency: str
    extra_true: tuple[str, ...] = ()
    extra_false: tuple[str, ...] = ()

    @property
    def date(self) -> NumberFormat:
        return NumberFormat("DATE", self.date_pattern)

    @property
    def datetime(self) -> NumberFormat:
        return NumberFormat("DATE_TIME", self.datetime_pattern)

    @property
    def time(self) -> NumberFormat:
        return NumberFormat("TIME", self.time_pattern)


_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FR_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

EN_US = Locale(
    "en_US",
    ".",
    ",",
    False,
    "TRUE",
    "FALSE",
    _EN_MONTHS,
    _EN_DAYS,
    "m/d/yyyy",
    "m/d/yyyy h:mm:ss",
    "h:mm:ss am/pm",
    "$",
)
EN_GB = Locale(
    "en_GB",
    ".",
    ",",
    True,
    "TRUE",
    "FALSE",
    _EN_MONTHS,
    _EN_DAYS,
    "dd/mm/yyyy",
    "dd/mm/yyyy hh:mm:ss",
    "hh:mm:ss",
    "£",
)
# Google writes French numbers with a narrow no-break space (U+202F) between thousands.
FR_FR = Locale(
    "fr_FR",
    ",",
    "\u202f",
    True,
    "VRAI",
    "FAUX",
    _FR_MONTHS,
    _FR_DAYS,
    "dd/mm/yyyy",
    "dd/mm/yyyy hh:mm:ss",
    "hh:mm:ss",
    "€",
    extra_true=("TRUE",),
    extra_false=("FALSE",),
)


def get_locale(code: str) -> Locale:
    """The modelled locale closest to ``code``."""
    base = (code or "en_US").replace("-", "_")
    if base.lower().startswith("fr"):
        return FR_FR if base == "fr_FR" else _renamed(FR_FR, base)
    if base in ("en_GB", "en_IE", "en_AU", "en_NZ"):
        return EN_GB if base == "en_GB" else _renamed(EN_GB, base)
    return EN_US if base == "en_US" else _renamed(EN_US, base)


def _renamed(loc: Locale, code: str) -> Locale:
    from dataclasses import replace

    return replace(loc, code=code)


# ---------------------------------------------------------------------------------------------
# Serial numbers
# ---------------------------------------------------------------------------------------------


def to_serial(value: dt.date | dt.datetime | dt.time) -> float | int:
    """A date, datetime or time as a spreadsheet serial number (days since 1899-12-30)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        delta = value - EPOCH
        serial = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
        return int(serial) if serial == int(serial) else serial
    if isinstance(value, dt.date):
        return (value - EPOCH.date()).days
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    raise TypeError(f"not a date: {value!r}")


def from_serial(serial: float) -> dt.datetime:
    """A serial number as a naive datetime, rounded to the second."""
    seconds = round(serial * 86400)
    return EPOCH + dt.timedelta(seconds=seconds)


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def json_number(value: float | int) -> float | int:
    """Numbers as Google's JSON writes them: integral doubles without a fraction."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e17:
        return int(value)
    return value


def format_general(value: float | int, loc: Locale) -> str:
    """A number in the automatic format: no grouping, up to 10 significant digits for
    fractions, scientific notation from 1e15."""
    if isinstance(value, bool):
        return loc.true if value else loc.false
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "#NUM!"
    if value == 0:
        return "0"
    mag = abs(value)
    if mag >= 1e15 or mag < 1e-9:
        mantissa, exp = f"{value:.5E}".split("E")
        mantissa = mantissa.rstrip("0").rstrip(".")
        sign = "-" if exp.startswith("-") else "+"
        text = f"{mantissa}E{sign}{int(exp[1:]):02d}"
    elif float(value).is_integer():
        text = str(int(value))
    else:
        digits = max(0, 10 - (int(math.floor(math.log10(mag))) + 1))
        text = _round_text(value, digits).rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
    return text.replace(".", loc.decimal) if loc.decimal != "." else text


def _round_text(value: float, decimals: int) -> str:
    quant = Decimal(1).scaleb(-decimals)
    return str(Decimal(repr(float(value))).quantize(quant, rounding=ROUND_HALF_UP))


def render(value: object, fmt: NumberFormat | None, loc: Locale) -> str:
    """FORMATTED_VALUE of a stored value under a number format."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return loc.true if value else loc.false
    if isinstance(value, str):
        return value
    if not isinstance(value, (int, float)):
        return str(value)
    if fmt is None or fmt.type == "TEXT" or not fmt.pattern:
        return format_general(value, loc)
    if fmt.is_temporal or _looks_temporal(fmt.pattern):
        return format_date(value, fmt.pattern, loc)
    return format_number(value, fmt.pattern, loc)


_LITERAL = re.compile(r'"([^"]*)"|\\(.)|\[\$([^\]-]*)(?:-[^\]]*)?\]|\[[^\]]*\]|_.|\*.')


def _strip_literals(pattern: str) -> str:
    return _LITERAL.sub("", pattern)


def _looks_temporal(pattern: str) -> bool:
    core = _strip_literals(pattern).lower()
    return bool(re.search(r"[ydhs]", core)) or ("m" in core and not re.search(r"[0#]", core))


def format_number(value: float | int, pattern: str, loc: Locale) -> str:
    """Render a numeric pattern: ``#,##0.00``, ``0%``, ``0.00E+00``, ``#,##0.00 [$€]``."""
    sections = _split_sections(pattern)
    section = sections[0]
    negative = value < 0
    if negative and len(sections) > 1:
        section = sections[1]
    out: list[str] = []
    core_done = False
    pos = 0
    text = section
    number_re = re.compile(r"[#0?,]*[#0?](?:\.[#0?]*)?(?:[Ee][+-][0#]+)?|\.[#0?]+")
    percent = "%" in _strip_literals(text)
    scaled = abs(value) * (100 if percent else 1)
    while pos < len(text):
        m = _LITERAL.match(text, pos)
        if m:
            if m.group(1) is not None:
                out.append(m.group(1))
            elif m.group(2) is not None:
                out.append(m.group(2))
            elif m.group(3) is not None:
                out.append(m.group(3))
            pos = m.end()
            continue
        m = number_re.match(text, pos)
        if m and not core_done:
            out.append(_render_core(scaled, m.group(0), loc))
            core_done = True
            pos = m.end()
            continue
        out.append(text[pos])
        pos += 1
    rendered = "".join(out)
    if negative and len(sections) == 1 and any(ch.isdigit() and ch != "0" for ch in rendered):
        rendered = "-" + rendered
    return rendered


def _split_sections(pattern: str) -> list[str]:
    sections: list[str] = []
    current: list[str] = []
    in_quote = False
    for ch in pattern:
        if ch == '"':
            in_quote = not in_quote
        if ch == ";" and not in_quote:
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
    sections.append("".join(current))
    return sections


def _render_core(value: float, core: str, loc: Locale) -> str:
    exp_part = ""
    m = re.search(r"[Ee]([+-])([0#]+)$", core)
    if m:
        core = core[: m.start()]
        exponent = 0 if value == 0 else int(math.floor(math.log10(value)))
        value = value / (10**exponent) if value else 0.0
        sign = "-" if exponent < 0 else "+"
        exp_part = f"E{sign}{abs(exponent):0{len(m.group(2))}d}"
    int_part, _, frac_part = core.partition(".")
    grouping = "," in int_part
    max_dec = len(frac_part)
    min_dec = frac_part.count("0")
    text = _round_text(value, max_dec) if max_dec else _round_text(value, 0)
    whole, _, frac = text.partition(".")
    if max_dec > min_dec:
        frac = frac.rstrip("0")
        if len(frac) < min_dec:
            frac = frac.ljust(min_dec, "0")
    min_int = int_part.replace(",", "").count("0")
    if whole == "0" and min_int == 0:
        whole = ""
    whole = whole.rjust(min_int, "0") if min_int else whole
    if grouping and len(whole) > 3:
        groups: list[str] = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        groups.insert(0, whole)
        whole = loc.group.join(groups)
    result = whole + (loc.decimal + frac if frac else "")
    return (result or "0") + exp_part


_DATE_TOKEN = re.compile(
    r'"[^"]*"|\\.|\[[^\]]*\]|am/pm|a/p|yyyy|yyy|yy|y|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s'
    r"|\.0+|.",
    re.IGNORECASE,
)


def format_date(value: float | int, pattern: str, loc: Locale) -> str:
    """Render a date/time pattern: ``dd/mm/yyyy``, ``m/d/yyyy h:mm:ss``, ``yyyy-mm-dd``."""
    try:
        when = from_serial(float(value))
    except (OverflowError, ValueError):
        return format_general(value, loc)
    tokens = _DATE_TOKEN.findall(pattern)
    low = [t.lower() for t in tokens]
    twelve = any(t in ("am/pm", "a/p") for t in low)
    out = []
    for i, (tok, lt) in enumerate(zip(tokens, low, strict=True)):
        if lt.startswith('"'):
            out.append(tok[1:-1])
        elif lt.startswith("\\"):
            out.append(tok[1:])
        elif lt.startswith("["):
            m = re.match(r"\[\$([^\]-]*)", tok)
            if m:
                out.append(m.group(1))
            elif lt in ("[h]", "[hh]"):
                out.append(str(int(float(value) * 24)))
        elif lt in ("yyyy", "yyy"):
            out.append(f"{when.year:04d}")
        elif lt in ("yy", "y"):
            out.append(f"{when.year % 100:02d}")
        elif lt[0] == "m" and set(lt) == {"m"}:
            if len(lt) <= 2 and _is_minute(low, i):
                out.append(f"{when.minute:0{len(lt)}d}")
            elif lt == "m":
                out.append(str(when.month))
            elif lt == "mm":
                out.append(f"{when.month:02d}")
            elif lt == "mmm":
                out.append(loc.months[when.month - 1][:3])
            elif lt == "mmmmm":
                out.append(loc.months[when.month - 1][:1])
            else:
                out.append(loc.months[when.month - 1])
        elif lt == "d":
            out.append(str(when.day))
        elif lt == "dd":
            out.append(f"{when.day:02d}")
        elif lt == "ddd":
            out.append(loc.days[when.weekday()][:3])
        elif lt == "dddd":
            out.append(loc.days[when.weekday()])
        elif lt in ("h", "hh"):
            hour = when.hour
            if twelve:
                hour = hour % 12 or 12
            out.append(f"{hour:0{len(lt)}d}")
        elif lt in ("s", "ss"):
            out.append(f"{when.second:0{len(lt)}d}")
        elif lt in ("am/pm", "a/p"):
            am = when.hour < 12
            out.append(("AM" if am else "PM") if lt == "am/pm" else ("A" if am else "P"))
        elif lt.startswith(".0"):
            out.append("." + "0" * (len(lt) - 1))
        else:
            out.append(tok)
    return "".join(out)


def _is_minute(low: list[str], i: int) -> bool:
    for j in range(i - 1, -1, -1):
        t = low[j]
        if t in ("h", "hh", "[h]", "[hh]"):
            return True
        if t[0] in "ydms" and t.isalpha():
            break
    for j in range(i + 1, len(low)):
        t = low[j]
        if t in ("s", "ss"):
            return True
        if t[0] in "ydmh" and t.isalpha():
            break
    return False


def excel_pattern(number_format: str) -> str:
    """An Excel/openpyxl number format usable as a pattern here (locale tags dropped)."""
    pattern = re.sub(r"\[\$-[0-9A-Fa-f]+\]", "", number_format or "")
    pattern = re.sub(r";@$", "", pattern)
    return pattern


def classify_pattern(pattern: str) -> str:
    """Google's number format type for a pattern."""
    if not pattern or pattern.lower() == "general":
        return ""
    if pattern == "@":
        return "TEXT"
    if _looks_temporal(pattern):
        core = _strip_literals(pattern).lower()
        has_date = bool(re.search(r"[yd]", core)) or ("m" in core and not re.search(r"[hs]", core))
        has_time = bool(re.search(r"[hs]", core))
        if has_date and has_time:
            return "DATE_TIME"
        return "TIME" if has_time else "DATE"
    stripped = _strip_literals(pattern)
    if "%" in stripped:
        return "PERCENT"
    if re.search(r"[Ee][+-]", stripped):
        return "SCIENTIFIC"
    if re.search(r"[$€£¥]|\[\$", pattern):
        return "CURRENCY"
    return "NUMBER"


# ---------------------------------------------------------------------------------------------
# USER_ENTERED parsing
# ---------------------------------------------------------------------------------------------

_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:\s*([AaPp][Mm]))?"
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]" + _TIME + r")?$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?:\s+" + _TIME + r")?$")
_ONLY_TIME = re.compile(r"^" + _TIME + r"$")


@dataclass(frozen=True)
class Parsed:
    """What a typed string becomes: a value (str, float/int, bool) and maybe a format."""

    value: object
    fmt: NumberFormat | None = None


def parse_number_text(text: str, loc: Locale) -> Parsed | None:
    """A typed number, percentage or amount in the locale; None when it is not one."""
    s = text.strip()
    if not s:
        return None
    if loc.decimal == ",":
        sp = f"[{SPACES}]"
        num = rf"(?P<num>[+-]?(?:\d{{1,3}}(?:{sp}\d{{3}})+|\d+)(?:,\d*)?|[+-]?,\d+)"
        group_sep = SPACES
    else:
        num = r"(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|[+-]?\.\d+)"
        group_sep = ","
    sym = re.escape(loc.currency)
    forms = [
        (rf"^{num}(?P<exp>[eE][+-]?\d+)?$", "plain"),
        (rf"^{num}[{SPACES}]?%$", "percent"),
        (rf"^{num}[{SPACES}]?(?P<sym>{sym}|€|\$)$", "currency"),
        (rf"^(?P<sign>-)?(?P<sym>{sym}|€|\$)[{SPACES}]?{num}$", "currency_prefix"),
    ]
    for regex, kind in forms:
        m = re.match(regex, s)
        if not m:
            continue
        raw = m.group("num")
        grouped = any(ch in raw for ch in group_sep)
        digits = raw
        for ch in group_sep:
            digits = digits.replace(ch, "")
        digits = digits.replace(loc.decimal, ".")
        if kind == "plain" and m.group("exp"):
            digits += m.group("exp")
        try:
            number = float(digits)
        except ValueError:
            return None
        decimals = len(raw.split(loc.decimal, 1)[1]) if loc.decimal in raw else 0
        if kind == "currency_prefix" and m.group("sign"):
            number = -number
        value = json_number(number) if "." not in digits and "e" not in digits.lower() else number
        frac = ("." + "0" * decimals) if decimals else ""
        if kind == "plain":
            if m.group("exp"):
                return Parsed(number, NumberFormat("SCIENTIFIC", "0.00E+00"))
            if grouped:
                return Parsed(value, NumberFormat("NUMBER", "#,##0" + frac))
            return Parsed(value)
        if kind == "percent":
            return Parsed(number / 100, NumberFormat("PERCENT", "0" + frac + "%"))
        symbol = m.group("sym")
        frac = ("." + "0" * decimals) if decimals else ".00"
        if kind == "currency":
            return Parsed(value, NumberFormat("CURRENCY", f'#,##0{frac} "{symbol}"'))
        return Parsed(value, NumberFormat("CURRENCY", f'"{symbol}"#,##0{frac}'))
    return None


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:
        y += 2000 if y < 30 else 1900
    return y


def _time_part(groups: tuple, loc: Locale) -> tuple[dt.time, str] | None:
    hh, mm, ss, ampm = groups
    hour, minute, second = int(hh), int(mm), int(ss or 0)
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    hpat = "h" if ampm or len(hh) == 1 else "hh"
    pattern = f"{hpat}:mm" + (":ss" if ss else "") + (" am/pm" if ampm else "")
    return dt.time(hour, minute, second), pattern


def parse_date_text(text: str, loc: Locale) -> Parsed | None:
    """A typed date, date-time or time in the locale; None when it is not one."""
    s = text.strip()
    m = _ISO_DATE.match(s)
    if m:
        y, mo, d = m.group(1), m.group(2), m.group(3)
        pattern = "yyyy-" + ("mm" if len(mo) == 2 else "m") + "-" + ("dd" if len(d) == 2 else "d")
        return _date_result(int(y), int(mo), int(d), pattern, m.groups()[3:], loc)
    m = _SLASH_DATE.match(s)
    if m:
        a, b, y = m.group(1), m.group(2), m.group(3)
        day, month = (a, b) if loc.day_first else (b, a)
        dpat = "dd" if len(day) == 2 else "d"
        mpat = "mm" if len(month) == 2 else "m"
        ypat = "yyyy" if len(y) == 4 else "yy"
        pattern = f"{dpat}/{mpat}/{ypat}" if loc.day_first else f"{mpat}/{dpat}/{ypat}"
        return _date_result(_year(y), int(month), int(day), pattern, m.groups()[3:], loc)
    m = _ONLY_TIME.match(s)
    if m:
        part = _time_part(m.groups(), loc)
        if part is None:
            return None
        t, pattern = part
        return Parsed(to_serial(t), NumberFormat("TIME", pattern))
    return None


def _date_result(y: int, mo: int, d: int, pattern: str, time_groups: tuple, loc: Locale):
    try:
        day = dt.date(y, mo, d)
    except ValueError:
        return None
    if time_groups and time_groups[0] is not None:
        part = _time_part(time_groups, loc)
        if part is None:
            return None
        t, tpat = part
        moment = dt.datetime.combine(day, t)
        return Parsed(to_serial(moment), NumberFormat("DATE_TIME", f"{pattern} {tpat}"))
    return Parsed(to_serial(day), NumberFormat("DATE", pattern))


def parse_boolean_text(text: str, loc: Locale) -> bool | None:
    s = text.strip().upper()
    if s == loc.true or s in loc.extra_true:
        return True
    if s == loc.false or s in loc.extra_false:
        return False
    return None


def parse_user_entered(text: str, loc: Locale) -> Parsed:
    """What Google stores for a string sent with USER_ENTERED (formulas excepted)."""
    if text.startswith("'"):
        return Parsed(text[1:])
    boolean = parse_boolean_text(text, loc)
    if boolean is not None:
        return Parsed(boolean)
    parsed = parse_number_text(text, loc)
    if parsed is not None:
        return parsed
    parsed = parse_date_text(text, loc)
    if parsed is not None:
        return parsed
    return Parsed(text)
