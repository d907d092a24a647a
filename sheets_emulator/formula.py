"""A small spreadsheet formula evaluator.

Enough for the workbook's own formulas and for the recordings: numbers, strings, booleans,
cell references and ranges (also on other tabs, ``'Mes tarifs'!B2``), the operators
``+ - * / ^ & % = <> < > <= >=`` and a set of common functions (see ``FUNCTIONS``).
Function names are English whatever the locale, as in Google Sheets; arguments may be
separated by ``,`` or ``;``; in a decimal-comma locale ``1,5`` is a number.

Anything else (an unknown function, a named range, array formulas) evaluates to ``#NAME?``;
a formula that cannot be parsed evaluates to ``#ERROR!``; a circular reference to ``#REF!``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from .a1 import column_index, column_letters
from .formats import Locale, NumberFormat, to_serial


class FormulaError(Exception):
    """An error value such as ``#DIV/0!``; also raised to propagate it."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FormulaError) and other.code == self.code

    def __hash__(self) -> int:
        return hash(self.code)

    def __repr__(self) -> str:
        return f"FormulaError({self.code!r})"


DIV0, NAME, REF, VALUE, NA, NUM, ERROR = (
    "#DIV/0!",
    "#NAME?",
    "#REF!",
    "#VALUE!",
    "#N/A",
    "#NUM!",
    "#ERROR!",
)

_SHEET = r"(?:'(?:[^']|'')+'|[A-Za-z_\u00c0-\uffff][\w.\u00c0-\uffff]*)!"
_COL = r"\$?[A-Za-z]{1,3}"
_ROW = r"\$?\d+"
_REF = (
    rf"(?P<sheet>{_SHEET})?(?P<ref>{_COL}{_ROW}(?::{_COL}{_ROW})?|{_COL}:{_COL}|{_ROW}:{_ROW}"
    rf"|{_COL}{_ROW}:{_COL}|{_COL}{_ROW}:{_ROW})(?![\w(!])"
)
_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r'|(?P<str>"(?:[^"]|"")*")'
    r"|(?P<err>#DIV/0!|#N/A|#NAME\?|#REF!|#VALUE!|#NUM!|#NULL!|#ERROR!)"
    rf"|(?P<refx>{_REF})"
    r"|(?P<func>[A-Za-z_][A-Za-z0-9_.]*)(?=\s*\()"
    r"|(?P<numc>\d+,\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_.]*)"
    r"|(?P<op><>|<=|>=|[-+*/^&=<>%(),;:{}])"
)


@dataclass
class Tok:
    kind: str
    text: str
    start: int
    end: int


def tokenize(formula: str, decimal_comma: bool = False) -> list[Tok]:
    """Tokens of a formula body (without the leading ``=``)."""
    toks: list[Tok] = []
    pos = 0
    while pos < len(formula):
        m = _TOKEN.match(formula, pos)
        if not m:
            raise FormulaError(ERROR)
        kind = m.lastgroup or ""
        if kind == "refx":
            kind = "ref"
        if kind == "numc":
            if decimal_comma:
                kind = "num"
            else:
                # "1,5" outside a decimal-comma locale is two arguments.
                m2 = re.match(r"\d+", formula[pos:])
                assert m2 is not None
                toks.append(Tok("num", m2.group(0), pos, pos + m2.end()))
                pos += m2.end()
                continue
        if kind != "ws":
            toks.append(Tok(kind, m.group(0), pos, m.end()))
        pos = m.end()
    return toks


# ---------------------------------------------------------------------------------------------
# Parsing into a tiny AST of tuples
# ---------------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, toks: list[Tok]):
        self.toks = toks
        self.i = 0

    def peek(self) -> Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Tok:
        tok = self.peek()
        if tok is None:
            raise FormulaError(ERROR)
        self.i += 1
        return tok

    def expect(self, text: str) -> None:
        tok = self.take()
        if tok.text != text:
            raise FormulaError(ERROR)

    def parse(self):
        node = self.comparison()
        if self.peek() is not None:
            raise FormulaError(ERROR)
        return node

    def comparison(self):
        node = self.concat()
        while (tok := self.peek()) and tok.kind == "op" and tok.text in ("=", "<>", "<", ">", "<=", ">="):
            self.take()
            node = ("bin", tok.text, node, self.concat())
        return node

    def concat(self):
        node = self.additive()
        while (tok := self.peek()) and tok.text == "&":
            self.take()
            node = ("bin", "&", node, self.additive())
        return node

    def additive(self):
        node = self.term()
        while (tok := self.peek()) and tok.kind == "op" and tok.text in ("+", "-"):
            self.take()
            node = ("bin", tok.text, node, self.term())
        return node

    def term(self):
        node = self.power()
        while (tok := self.peek()) and tok.kind == "op" and tok.text in ("*", "/"):
            self.take()
            node = ("bin", tok.text, node, self.power())
        return node

    def power(self):
        node = self.unary()
        while (tok := self.peek()) and tok.text == "^":
            self.take()
            node = ("bin", "^", node, self.unary())
        return node

    def unary(self):
        tok = self.peek()
        if tok is not None and tok.kind == "op" and tok.text in ("+", "-"):
            self.take()
            operand = self.unary()
            return ("neg", operand) if tok.text == "-" else operand
        return self.postfix()

    def postfix(self):
        node = self.primary()
        while (tok := self.peek()) and tok.text == "%":
            self.take()
            node = ("pct", node)
        return node

    def primary(self):
        tok = self.take()
        if tok.kind == "num":
            return ("lit", float(tok.text.replace(",", ".")))
        if tok.kind == "str":
            return ("lit", tok.text[1:-1].replace('""', '"'))
        if tok.kind == "err":
            return ("lit", FormulaError(tok.text))
        if tok.kind == "ref":
            return ("ref", tok.text)
        if tok.kind == "name":
            upper = tok.text.upper()
            if upper in ("TRUE", "VRAI"):
                return ("lit", True)
            if upper in ("FALSE", "FAUX"):
                return ("lit", False)
            return ("lit", FormulaError(NAME))
        if tok.kind == "func":
            self.expect("(")
            args: list[tuple[object, ...]] = []
            if (nxt := self.peek()) is not None and nxt.text == ")":
                self.take()
                return ("call", tok.text.upper(), args)
            while True:
                nxt = self.peek()
                if nxt is not None and nxt.text in (",", ";", ")"):
                    args.append(("lit", None))
                else:
                    args.append(self.comparison())
                sep = self.take()
                if sep.text == ")":
                    break
                if sep.text not in (",", ";"):
                    raise FormulaError(ERROR)
            return ("call", tok.text.upper(), args)
        if tok.text == "(":
            node = self.comparison()
            self.expect(")")
            return node
        raise FormulaError(ERROR)


_AST_CACHE: dict[tuple[str, bool], object] = {}


def parse(formula: str, decimal_comma: bool = False):
    """The AST of ``=...``; raises FormulaError(#ERROR!) when it does not parse."""
    key = (formula, decimal_comma)
    if key not in _AST_CACHE:
        try:
            _AST_CACHE[key] = _Parser(tokenize(formula[1:], decimal_comma)).parse()
        except FormulaError as exc:
            _AST_CACHE[key] = exc
        if len(_AST_CACHE) > 20000:
            _AST_CACHE.clear()
    result = _AST_CACHE[key]
    if isinstance(result, FormulaError):
        raise result
    return result


# ---------------------------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefRange:
    """A resolved reference: a tab title (None = the formula's own tab) and 1-based bounds;
    None bounds are open (whole columns or rows)."""

    sheet: str | None
    r0: int | None
    c0: int | None
    r1: int | None
    c1: int | None


def _split_ref(text: str) -> tuple[str | None, str]:
    if "!" in text:
        sheet, ref = text.rsplit("!", 1)
        if sheet.startswith("'"):
            sheet = sheet[1:-1].replace("''", "'")
        return sheet, ref
    return None, text


def _cell_parts(part: str) -> tuple[int | None, int | None]:
    m = re.fullmatch(r"\$?([A-Za-z]*)\$?(\d*)", part)
    assert m is not None
    letters, digits = m.groups()
    return (int(digits) if digits else None, column_index(letters) if letters else None)


def resolve_ref(text: str) -> RefRange:
    sheet, ref = _split_ref(text)
    parts = ref.split(":")
    r0, c0 = _cell_parts(parts[0])
    r1, c1 = _cell_parts(parts[1]) if len(parts) == 2 else (r0, c0)
    if len(parts) == 2 and parts[0][-1:].isdigit() and not parts[1][-1:].isdigit():
        r1 = None  # A2:B  -> open downwards
    return RefRange(sheet, r0, c0, r1, c1)


# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------


class Range:
    """The values of a range reference, row by row, for functions that take ranges."""

    def __init__(self, rows: list[list[object]]):
        self.rows = rows

    def values(self) -> Iterable[object]:
        for row in self.rows:
            yield from row

    def single(self) -> object:
        if len(self.rows) == 1 and len(self.rows[0]) == 1:
            return self.rows[0][0]
        if not self.rows or not self.rows[0]:
            return None
        raise FormulaError(VALUE)


class Context:
    """What the evaluator needs from the store."""

    locale: Locale
    time_zone: str

    def cell_value(self, sheet: str | None, row: int, col: int) -> object:  # pragma: no cover
        raise NotImplementedError

    def range_values(self, ref: RefRange) -> list[list[object]]:  # pragma: no cover
        raise NotImplementedError

    def cell_format(self, sheet: str | None, row: int, col: int) -> NumberFormat | None:
        return None


def evaluate(formula: str, ctx: Context) -> object:
    """The value of ``=...``: a float, str, bool, None or a FormulaError."""
    try:
        ast = parse(formula, ctx.locale.decimal == ",")
        value = _eval(ast, ctx)
        if isinstance(value, Range):
            value = value.single() if len(value.rows) <= 1 else value.rows[0][0]
        if value is None:
            return 0.0 if isinstance(ast, tuple) and ast[0] != "ref" else None
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return FormulaError(NUM)
        return value
    except FormulaError as err:
        return err
    except RecursionError:
        return FormulaError(REF)


def _eval(node, ctx: Context):
    kind = node[0]
    if kind == "lit":
        if isinstance(node[1], FormulaError):
            raise node[1]
        return node[1]
    if kind == "ref":
        ref = resolve_ref(node[1])
        if ref.r0 is not None and ref.r0 == ref.r1 and ref.c0 is not None and ref.c0 == ref.c1:
            value = ctx.cell_value(ref.sheet, ref.r0, ref.c0)
            if isinstance(value, FormulaError):
                raise value
            return value
        return Range(ctx.range_values(ref))
    if kind == "neg":
        return -_num(_eval(node[1], ctx), ctx)
    if kind == "pct":
        return _num(_eval(node[1], ctx), ctx) / 100
    if kind == "bin":
        return _binary(node[1], _eval(node[2], ctx), _eval(node[3], ctx), ctx)
    if kind == "call":
        name, args = node[1], node[2]
        if name in ("IF", "IFERROR", "IFNA"):
            return _lazy(name, args, ctx)
        func = FUNCTIONS.get(name)
        if func is None:
            raise FormulaError(NAME)
        return func(ctx, *[_eval(a, ctx) for a in args])
    raise FormulaError(ERROR)


def _scalar(value):
    if isinstance(value, Range):
        value = value.single()
    if isinstance(value, FormulaError):
        raise value
    return value


def _num(value, ctx: Context) -> float:
    value = _scalar(value)
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        from .formats import parse_date_text, parse_number_text

        parsed = parse_number_text(value, ctx.locale) or parse_date_text(value, ctx.locale)
        if parsed is not None and isinstance(parsed.value, (int, float)):
            return float(parsed.value)
        if value.strip() == "":
            return 0.0
    raise FormulaError(VALUE)


def _text(value, ctx: Context) -> str:
    from .formats import format_general

    value = _scalar(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return format_general(value, ctx.locale)
    return str(value)


def _bool(value, ctx: Context) -> bool:
    value = _scalar(value)
    if isinstance(value, str):
        upper = value.strip().upper()
        if upper in ("TRUE", "FALSE"):
            return upper == "TRUE"
        raise FormulaError(VALUE)
    return bool(_num(value, ctx))


def _binary(op: str, left, right, ctx: Context):
    if op == "&":
        return _text(left, ctx) + _text(right, ctx)
    if op in ("=", "<>", "<", ">", "<=", ">="):
        a, b = _scalar(left), _scalar(right)
        a, b = _comparable(a), _comparable(b)
        if type(a) is not type(b):
            order = {float: 0, str: 1, bool: 2}
            a, b = order[type(a)], order[type(b)]
        return {
            "=": a == b,
            "<>": a != b,
            "<": a < b,
            ">": a > b,
            "<=": a <= b,
            ">=": a >= b,
        }[op]
    a, b = _num(left, ctx), _num(right, ctx)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            raise FormulaError(DIV0)
        return a / b
    if op == "^":
        try:
            return float(a**b)
        except (OverflowError, ZeroDivisionError, TypeError) as exc:
            raise FormulaError(NUM) from exc
    raise FormulaError(ERROR)


def _comparable(value):
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return str(value).lower()


def _lazy(name: str, args: list, ctx: Context):
    if name == "IF":
        if not 2 <= len(args) <= 3:
            raise FormulaError(NA)
        if _bool(_eval(args[0], ctx), ctx):
            return _eval(args[1], ctx)
        return _eval(args[2], ctx) if len(args) == 3 else False
    if len(args) != 2:
        raise FormulaError(NA)
    try:
        value = _scalar(_eval(args[0], ctx))
        return value
    except FormulaError as err:
        if name == "IFNA" and err.code != NA:
            raise
        return _eval(args[1], ctx)


def _numbers(args, ctx: Context, *, count_text: bool = False) -> list[float]:
    out: list[float] = []
    for arg in args:
        if isinstance(arg, Range):
            for v in arg.values():
                if isinstance(v, FormulaError):
                    raise v
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    out.append(float(v))
        else:
            out.append(_num(arg, ctx))
    return out


def _count(ctx, *args) -> float:
    n = 0
    for arg in args:
        if isinstance(arg, Range):
            n += sum(1 for v in arg.values() if isinstance(v, (int, float)) and not isinstance(v, bool))
        elif isinstance(arg, (int, float)) and not isinstance(arg, bool):
            n += 1
    return float(n)


def _counta(ctx, *args) -> float:
    n = 0
    for arg in args:
        if isinstance(arg, Range):
            n += sum(1 for v in arg.values() if v is not None and v != "")
        elif arg is not None:
            n += 1
    return float(n)


def _average(ctx, *args) -> float:
    nums = _numbers(args, ctx)
    if not nums:
        raise FormulaError(DIV0)
    return sum(nums) / len(nums)


def _round(ctx, value, digits=0.0, mode: str = "half") -> float:
    x, d = _num(value, ctx), int(_num(digits, ctx))
    factor = 10.0**d
    scaled = abs(x) * factor
    if mode == "half":
        r = math.floor(scaled + 0.5 + 1e-9)
    elif mode == "up":
        r = math.ceil(scaled - 1e-9)
    else:
        r = math.floor(scaled + 1e-9)
    return math.copysign(r / factor, x) if r else 0.0


def _today(ctx) -> float:
    return float(to_serial(_now(ctx).date()))


def _now(ctx) -> dt.datetime:
    try:
        return dt.datetime.now(ZoneInfo(ctx.time_zone)).replace(tzinfo=None)
    except Exception:  # unknown zone: the local clock
        return dt.datetime.now()


def _date(ctx, y, m, d) -> float:
    year, month, day = int(_num(y, ctx)), int(_num(m, ctx)), int(_num(d, ctx))
    if year < 1900:
        year += 1900
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    try:
        base = dt.date(year, month, 1)
    except ValueError as exc:
        raise FormulaError(NUM) from exc
    return float(to_serial(base) + day - 1)


def _date_part(index: int) -> Callable:
    def part(ctx, value):
        from .formats import from_serial

        when = from_serial(_num(value, ctx))
        return float((when.year, when.month, when.day)[index])

    return part


def _criteria(criterion, ctx) -> Callable[[object], bool]:
    crit = _scalar(criterion)
    if isinstance(crit, str):
        m = re.match(r"^(<>|<=|>=|=|<|>)?(.*)$", crit)
        assert m is not None
        op, rest = m.group(1) or "=", m.group(2)
        try:
            target: object = float(rest.replace(",", ".")) if rest.strip() else rest
        except ValueError:
            target = rest.lower()
    else:
        op, target = "=", _comparable(crit)

    def test(v: object) -> bool:
        a = _comparable(v) if v is not None else ("" if isinstance(target, str) else None)
        if a is None:
            return False
        if type(a) is not type(target):
            return op == "<>"
        return _holds(op, a, target)

    return test


def _holds(op: str, a: Any, target: Any) -> bool:
    """``a op target``, for two values of one type (the caller checked it at run time)."""
    return {
        "=": a == target,
        "<>": a != target,
        "<": a < target,
        ">": a > target,
        "<=": a <= target,
        ">=": a >= target,
    }[op]


def _countif(ctx, rng, criterion) -> float:
    if not isinstance(rng, Range):
        raise FormulaError(VALUE)
    test = _criteria(criterion, ctx)
    return float(sum(1 for v in rng.values() if test(v)))


def _sumif(ctx, rng, criterion, sum_rng=None) -> float:
    if not isinstance(rng, Range):
        raise FormulaError(VALUE)
    test = _criteria(criterion, ctx)
    targets = sum_rng if isinstance(sum_rng, Range) else rng
    total = 0.0
    for cond_row, val_row in zip(rng.rows, targets.rows, strict=False):
        for cond, val in zip(cond_row, val_row, strict=False):
            if test(cond) and isinstance(val, (int, float)) and not isinstance(val, bool):
                total += float(val)
    return total


def _vlookup(ctx, key, rng, index, exact=False) -> object:
    if not isinstance(rng, Range):
        raise FormulaError(VALUE)
    col = int(_num(index, ctx)) - 1
    wanted = _comparable(_scalar(key))
    for row in rng.rows:
        if row and _comparable(row[0]) == wanted:
            if col >= len(row):
                return None
            return row[col]
    raise FormulaError(NA)


FUNCTIONS: dict[str, Callable] = {
    "SUM": lambda ctx, *a: sum(_numbers(a, ctx)),
    "PRODUCT": lambda ctx, *a: math.prod(_numbers(a, ctx)),
    "AVERAGE": _average,
    "MIN": lambda ctx, *a: min(_numbers(a, ctx), default=0.0),
    "MAX": lambda ctx, *a: max(_numbers(a, ctx), default=0.0),
    "COUNT": _count,
    "COUNTA": _counta,
    "COUNTIF": _countif,
    "SUMIF": _sumif,
    "VLOOKUP": _vlookup,
    "ROUND": lambda ctx, v, d=0.0: _round(ctx, v, d, "half"),
    "ROUNDUP": lambda ctx, v, d=0.0: _round(ctx, v, d, "up"),
    "ROUNDDOWN": lambda ctx, v, d=0.0: _round(ctx, v, d, "down"),
    "INT": lambda ctx, v: float(math.floor(_num(v, ctx))),
    "ABS": lambda ctx, v: abs(_num(v, ctx)),
    "MOD": lambda ctx, a, b: _mod(_num(a, ctx), _num(b, ctx)),
    "AND": lambda ctx, *a: all(_bool(x, ctx) for x in _flat(a)),
    "OR": lambda ctx, *a: any(_bool(x, ctx) for x in _flat(a)),
    "NOT": lambda ctx, v: not _bool(v, ctx),
    "CONCATENATE": lambda ctx, *a: "".join(_text(x, ctx) for x in _flat(a)),
    "CONCAT": lambda ctx, a, b: _text(a, ctx) + _text(b, ctx),
    "LEN": lambda ctx, v: float(len(_text(v, ctx))),
    "UPPER": lambda ctx, v: _text(v, ctx).upper(),
    "LOWER": lambda ctx, v: _text(v, ctx).lower(),
    "TRIM": lambda ctx, v: " ".join(_text(v, ctx).split()),
    "LEFT": lambda ctx, v, n=1.0: _text(v, ctx)[: int(_num(n, ctx))],
    "RIGHT": lambda ctx, v, n=1.0: _text(v, ctx)[-int(_num(n, ctx)) :] if int(_num(n, ctx)) else "",
    "MID": lambda ctx, v, s, n: _text(v, ctx)[
        int(_num(s, ctx)) - 1 : int(_num(s, ctx)) - 1 + int(_num(n, ctx))
    ],
    "ISBLANK": lambda ctx, v: _scalar_or_none(v) in (None, ""),
    "ISNUMBER": lambda ctx, v: (
        isinstance(_scalar_or_none(v), (int, float)) and not isinstance(_scalar_or_none(v), bool)
    ),
    "TODAY": _today,
    "NOW": lambda ctx: float(to_serial(_now(ctx))),
    "DATE": _date,
    "YEAR": _date_part(0),
    "MONTH": _date_part(1),
    "DAY": _date_part(2),
}


def _mod(a: float, b: float) -> float:
    if b == 0:
        raise FormulaError(DIV0)
    return a - b * math.floor(a / b)


def _flat(args) -> Iterable[object]:
    for a in args:
        if isinstance(a, Range):
            yield from (v for v in a.values() if v is not None)
        else:
            yield a


def _scalar_or_none(v):
    try:
        return _scalar(v)
    except FormulaError:
        return FormulaError(VALUE)


def infer_format(formula: str, ctx: Context) -> NumberFormat | None:
    """The format Google gives a formula cell that has none of its own: a date for
    ``TODAY()``/``DATE()``, the referenced cell's format for ``=B2`` or ``=B2+30``."""
    try:
        ast = parse(formula, ctx.locale.decimal == ",")
    except FormulaError:
        return None
    return _infer(ast, ctx, 0)


def _infer(node, ctx: Context, depth: int) -> NumberFormat | None:
    if depth > 20:
        return None
    kind = node[0]
    if kind == "ref":
        ref = resolve_ref(node[1])
        if ref.r0 is not None and ref.c0 is not None:
            return ctx.cell_format(ref.sheet, ref.r0, ref.c0)
        return None
    if kind == "call":
        if node[1] in ("TODAY", "DATE"):
            return ctx.locale.date
        if node[1] == "NOW":
            return ctx.locale.datetime
        if node[1] in ("SUM", "MIN", "MAX", "AVERAGE", "IF", "IFERROR", "ROUND", "VLOOKUP"):
            for arg in node[2]:
                fmt = _infer(arg, ctx, depth + 1)
                if fmt is not None:
                    return fmt
        return None
    if kind == "bin" and node[1] in ("+", "-"):
        return _infer(node[2], ctx, depth + 1) or _infer(node[3], ctx, depth + 1)
    if kind == "neg":
        return _infer(node[1], ctx, depth + 1)
    return None


# ---------------------------------------------------------------------------------------------
# Keeping references right when rows or columns move
# ---------------------------------------------------------------------------------------------


def shift_references(
    formula: str,
    *,
    own_sheet: str,
    target_sheet: str,
    dimension: str,
    start: int,
    delta: int,
    decimal_comma: bool = False,
) -> str:
    """Rewrite ``formula`` (on tab ``own_sheet``) after ``delta`` rows or columns were
    inserted (positive) or deleted (negative) at 1-based index ``start`` of ``target_sheet``.
    References into deleted rows/columns become ``#REF!``."""
    try:
        toks = tokenize(formula[1:], decimal_comma)
    except FormulaError:
        return formula
    out = []
    pos = 0
    body = formula[1:]
    for tok in toks:
        if tok.kind != "ref":
            continue
        sheet, ref = _split_ref(tok.text)
        if (sheet or own_sheet).lower() != target_sheet.lower():
            continue
        new = _shift_ref(ref, dimension, start, delta)
        prefix = tok.text[: len(tok.text) - len(ref)]
        out.append(body[pos : tok.start])
        out.append(prefix + new if new != "#REF!" else "#REF!")
        pos = tok.end
    out.append(body[pos:])
    return "=" + "".join(out)


def _shift_ref(ref: str, dimension: str, start: int, delta: int) -> str:
    parts = ref.split(":")
    new_parts = []
    deleted = []
    for part in parts:
        m = re.fullmatch(r"(\$?)([A-Za-z]*)(\$?)(\d*)", part)
        assert m is not None
        cdollar, letters, rdollar, digits = m.groups()
        if dimension == "ROWS" and digits:
            row = int(digits)
            if delta < 0 and start <= row < start - delta:
                deleted.append(True)
                row = start
            elif row >= start:
                row += delta
            digits = str(row)
        elif dimension == "COLUMNS" and letters:
            col = column_index(letters)
            if delta < 0 and start <= col < start - delta:
                deleted.append(True)
                col = start
            elif col >= start:
                col += delta
            letters = column_letters(max(col, 1))
        new_parts.append(f"{cdollar}{letters}{rdollar}{digits}")
    if deleted and len(deleted) == len(parts):
        return "#REF!"
    return ":".join(new_parts)
