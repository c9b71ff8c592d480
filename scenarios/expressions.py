"""OpenSCENARIO ``${...}`` expressions, evaluated without ``eval()``.

Grammar (ASAM OpenSCENARIO 1.1+, clause "Expressions"; precedence low to high)::

    expr    := or
    or      := and ('or' and)*
    and     := not ('and' not)*
    not     := 'not' not | compare
    compare := sum (('==' | '!=' | '<' | '<=' | '>' | '>=') sum)?
    sum     := product (('+' | '-') product)*
    product := unary (('*' | '/' | '%') unary)*
    unary   := '-' unary | power
    power   := atom ('**' unary)?
    atom    := NUMBER | '$'NAME | NAME | 'true' | 'false' | 'pi' | FUNC '(' args ')' | '(' expr ')'
    FUNC    := round | floor | ceil | sqrt | pow | sin | cos | tan | asin | acos | atan
             | sign | abs | max | min        (9.2.1 of the standard as published now; rad)

Values are ``float``, ``int``, ``bool`` or ``str``. A bare NAME that is not a function or a
boolean literal is a string literal, and ``+`` with a string operand concatenates, numbers
written in their shortest form: this is how esmini reads
``${BrakeCondition_HWT + _ + $HeadwayTime_Brake}`` (-> ``BrakeCondition_HWT_0.7``).
Booleans count as 1/0 in arithmetic. ``round`` rounds half away from zero (C ``round``, as
the standard's reference implementation and esmini do).

Limits: at most :data:`MAX_DEPTH` nested parentheses, unary operators and calls (deeper is an
ExpressionError, not a RecursionError); a result too large for a double (``10 ** 10 ** 10``)
and any non-finite number (``1e400``) are ExpressionErrors.
"""

from __future__ import annotations

import contextlib
import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from testzone.numbers import xsd_double

Value = float | int | bool | str

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<ref>\$[A-Za-z_][A-Za-z0-9_]*)
    | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    | (?P<op>\*\*|==|!=|<=|>=|[-+*/%()<>,])
    )""", re.VERBOSE | re.ASCII)   # ASCII: \d would take Arabic-Indic and full-width digits


MAX_DEPTH = 32
"""Most nested sub-expressions (parentheses, unary ``-``/``not``, ``**`` operands, call
arguments) an expression may have."""


class ExpressionError(ValueError):
    """A malformed expression or one that cannot be evaluated; the loader adds file and line."""


def _round_half_away(x: float) -> float:
    return float(math.floor(abs(x) + 0.5)) * (1.0 if x >= 0 else -1.0)


_FUNCS: Mapping[str, tuple[int, Callable[..., float]]] = MappingProxyType({
    "round": (1, _round_half_away),
    "floor": (1, lambda x: float(math.floor(x))),
    "ceil": (1, lambda x: float(math.ceil(x))),
    "sqrt": (1, math.sqrt),
    "pow": (2, math.pow),
    # ASAM OpenSCENARIO XML 9.2.1 as published now (angles in rad)
    "sin": (1, math.sin), "cos": (1, math.cos), "tan": (1, math.tan),
    "asin": (1, math.asin), "acos": (1, math.acos), "atan": (1, math.atan),
    "sign": (1, lambda x: float((x > 0) - (x < 0))),
    "abs": (1, abs), "max": (2, max), "min": (2, min),
})
"""Functions: name -> (number of arguments, function)."""

_CONSTANTS: Mapping[str, float] = MappingProxyType({"pi": math.pi})
"""Named constants: ``pi`` (esmini reads it; proposed for the standard, ASAM OpenSCENARIO XML
issue 672), which would otherwise be the string literal "pi"."""


def format_value(v: Value) -> str:
    """Return the text form of a value: shortest float form, integral floats without '.0'."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


_BINARY: Mapping[str, Callable[[float, float], float]] = MappingProxyType({
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "%": math.fmod, "**": math.pow,
})


def _arith(op: str, a: float, b: float) -> float:
    """``a op b`` as a finite float; ExpressionError for division by zero, overflow and
    results that are not finite numbers."""
    if op in ("/", "%") and b == 0.0:
        raise ExpressionError("division by zero")
    try:
        v = _BINARY[op](a, b)
    except OverflowError:
        raise ExpressionError(f"{format_value(a)} {op} {format_value(b)} is too large for a "
                              f"double") from None
    except (ValueError, ZeroDivisionError):
        raise ExpressionError(f"{format_value(a)} {op} {format_value(b)} is undefined") from None
    return _finite(v, f"{format_value(a)} {op} {format_value(b)}")


def _finite(v: float, what: str) -> float:
    if not math.isfinite(v):
        raise ExpressionError(f"{what} is not a finite number ({v})")
    return v


def clip(text: str, limit: int = 80) -> str:
    """``text`` shortened to about ``limit`` characters, for an error message."""
    return text if len(text) <= limit else f"{text[:limit - 20]}...{text[-15:]}"


def _num(v: Value) -> float:
    if isinstance(v, str):
        try:
            return xsd_double(v)
        except ValueError:
            raise ExpressionError(f"'{clip(v)}' is not a number") from None
    return float(v)


def _tokenize(text: str) -> list[tuple[str, str]]:
    pos, out = 0, []
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExpressionError(f"unexpected character {text[pos:].lstrip()[:1]!r} at {pos}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    """Recursive-descent evaluator over a token list (one instance per evaluation)."""

    def __init__(self, tokens: list[tuple[str, str]], lookup: Callable[[str], Value]) -> None:
        self.toks = tokens
        self.i = 0
        self.lookup = lookup
        self.depth = 0

    @contextlib.contextmanager
    def nested(self) -> Iterator[None]:
        """Enter one level of nesting (at most :data:`MAX_DEPTH`)."""
        if self.depth >= MAX_DEPTH:
            raise ExpressionError(f"nested more than {MAX_DEPTH} levels deep")
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    def peek(self) -> str | None:
        """Text of the next token, or None at the end."""
        return self.toks[self.i][1] if self.i < len(self.toks) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        """Consume the next token (checking it when ``expected`` is given)."""
        if self.i >= len(self.toks):
            want = f"'{expected}'" if expected else "a value"
            raise ExpressionError(f"unexpected end, expected {want}")
        tok = self.toks[self.i]
        if expected is not None and tok[1] != expected:
            raise ExpressionError(f"expected '{expected}', found '{tok[1]}'")
        self.i += 1
        return tok

    def parse(self) -> Value:
        """Evaluate the whole token list."""
        v = self.or_()
        if self.i != len(self.toks):
            raise ExpressionError(f"unexpected '{self.toks[self.i][1]}'")
        return v

    def or_(self) -> Value:
        """or-expression."""
        v = self.and_()
        while self.peek() == "or":
            self.take()
            rhs = self.and_()
            v = bool(v) or bool(rhs)
        return v

    def and_(self) -> Value:
        """and-expression."""
        v = self.not_()
        while self.peek() == "and":
            self.take()
            rhs = self.not_()
            v = bool(v) and bool(rhs)
        return v

    def not_(self) -> Value:
        """not-expression."""
        if self.peek() == "not":
            self.take()
            with self.nested():
                return not bool(self.not_())
        return self.compare()

    def compare(self) -> Value:
        """One optional comparison."""
        v = self.sum()
        op = self.peek()
        if op in ("==", "!=", "<", "<=", ">", ">="):
            self.take()
            rhs = self.sum()
            if isinstance(v, str) or isinstance(rhs, str):
                return _cmp(format_value(v), format_value(rhs), op)
            return _cmp(_num(v), _num(rhs), op)
        return v

    def sum(self) -> Value:
        """+ and - (string + concatenates)."""
        v = self.product()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            rhs = self.product()
            if op == "+" and (isinstance(v, str) or isinstance(rhs, str)):
                v = format_value(v) + format_value(rhs)
            else:
                v = _arith(op, _num(v), _num(rhs))
        return v

    def product(self) -> Value:
        """*, / and %."""
        v = self.unary()
        while self.peek() in ("*", "/", "%"):
            op = self.take()[1]
            v = _arith(op, _num(v), _num(self.unary()))
        return v

    def unary(self) -> Value:
        """Unary minus."""
        with self.nested():
            if self.peek() == "-":
                self.take()
                return -_num(self.unary())
            return self.power()

    def power(self) -> Value:
        """** (right associative)."""
        v = self.atom()
        if self.peek() == "**":
            self.take()
            return _arith("**", _num(v), _num(self.unary()))
        return v

    def atom(self) -> Value:
        """Number, $reference, name, boolean, call or parenthesised expression."""
        kind, text = self.take()
        if kind == "num":
            return _finite(float(text), text)
        if kind == "ref":
            return self.lookup(text[1:])
        if text == "(":
            v = self.or_()
            self.take(")")
            return v
        if kind == "name":
            if text in ("true", "false"):
                return text == "true"
            if self.peek() == "(":
                if text in _FUNCS:
                    return self.call(text)
                raise ExpressionError(f"unknown function '{text}': expected one of "
                                      f"{', '.join(sorted(_FUNCS))} (ASAM OpenSCENARIO XML "
                                      f"9.2.1)")
            return _CONSTANTS.get(text, text)
        raise ExpressionError(f"unexpected '{text}'")

    def call(self, name: str) -> float:
        """A function call."""
        nargs, fn = _FUNCS[name]
        self.take("(")
        args = [_num(self.or_())]
        while self.peek() == ",":
            self.take()
            args.append(_num(self.or_()))
        self.take(")")
        if len(args) != nargs:
            raise ExpressionError(f"{name}() takes {nargs} argument(s), got {len(args)}")
        shown = f"{name}({', '.join(format_value(a) for a in args)})"
        try:
            v = float(fn(*args))
        except ValueError:
            raise ExpressionError(f"{shown} is undefined") from None
        except OverflowError:
            raise ExpressionError(f"{shown} is too large for a double") from None
        return _finite(v, shown)


def _cmp(a: Any, b: Any, op: str) -> bool:
    return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b,
            ">=": a >= b}[op]


def evaluate(text: str, lookup: Callable[[str], Value]) -> Value:
    """Evaluate the body of a ``${...}`` expression (without ``${`` and ``}``).

    Args:
        text: the expression, e.g. ``"$EgoSpeed / 3.6"``.
        lookup: returns the value of a parameter by name (without ``$``); it raises
            ``KeyError`` for an unknown name.

    Returns:
        float for arithmetic, bool for logic and comparisons, str for concatenations.

    Raises:
        ExpressionError: malformed expression, unknown parameter, division by zero, domain
            error (sqrt of a negative number), overflow or a non-finite number, nesting
            deeper than :data:`MAX_DEPTH`.
    """
    def safe_lookup(name: str) -> Value:
        """Look a parameter up, turning KeyError into ExpressionError."""
        try:
            return lookup(name)
        except KeyError:
            raise ExpressionError(f"unknown parameter '${name}'") from None

    return _Parser(_tokenize(text), safe_lookup).parse()
