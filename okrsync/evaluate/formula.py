"""Formulas over named sub-measures: ``a / b * 100``, ``min(a, 100)``, ``round(x, 1)``.

A small recursive-descent parser; mapping files are data, so nothing is ever handed
to Python's ``eval``. Grammar::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | primary
    primary := NUMBER | NAME | NAME "(" expr ("," expr)* ")" | "(" expr ")"

Positions in messages count characters from 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from okrsync.errors import ConfigError

FUNCTIONS = ("abs", "max", "min", "round")
# (fewest, most) arguments; None means no upper bound.
_ARITY: dict[str, tuple[int, int | None]] = {
    "abs": (1, 1),
    "max": (1, None),
    "min": (1, None),
    "round": (1, 2),
}


class FormulaError(ConfigError):
    """The formula text must be fixed (syntax, unknown name or function)."""

    def __init__(self, message: str, position: int | None = None) -> None:
        self.position = position
        super().__init__(message)


class FormulaUndefined(ArithmeticError):
    """The formula has no value for these inputs (division by zero, overflow)."""


class Expr:
    """A parsed formula node."""

    def names(self) -> set[str]:
        """The input names the formula reads."""
        raise NotImplementedError

    def evaluate(self, values: Mapping[str, float]) -> float:
        raise NotImplementedError


@dataclass(frozen=True)
class Number(Expr):
    value: float

    def names(self) -> set[str]:
        return set()

    def evaluate(self, values: Mapping[str, float]) -> float:
        return self.value


@dataclass(frozen=True)
class Name(Expr):
    name: str
    position: int

    def names(self) -> set[str]:
        return {self.name}

    def evaluate(self, values: Mapping[str, float]) -> float:
        if self.name not in values:
            known = ", ".join(sorted(values)) or "none"
            raise FormulaError(
                f"unknown name {self.name!r} at position {self.position}; inputs: {known}",
                self.position,
            )
        return values[self.name]


@dataclass(frozen=True)
class Negate(Expr):
    operand: Expr

    def names(self) -> set[str]:
        return self.operand.names()

    def evaluate(self, values: Mapping[str, float]) -> float:
        return -self.operand.evaluate(values)


@dataclass(frozen=True)
class Binary(Expr):
    op: str
    left: Expr
    right: Expr
    position: int

    def names(self) -> set[str]:
        return self.left.names() | self.right.names()

    def evaluate(self, values: Mapping[str, float]) -> float:
        left = self.left.evaluate(values)
        right = self.right.evaluate(values)
        if self.op == "+":
            result = left + right
        elif self.op == "-":
            result = left - right
        elif self.op == "*":
            result = left * right
        else:
            if right == 0:
                raise FormulaUndefined(f"division by zero at position {self.position}")
            result = left / right
        if not math.isfinite(result):
            raise FormulaUndefined(f"the result at position {self.position} is not finite")
        return result


def _round(value: float, digits: float = 0) -> float:
    if digits != int(digits):
        raise FormulaUndefined("round() takes a whole number of digits")
    # Half away from zero, as people round by hand (Python's round() is banker's).
    exponent = Decimal(1).scaleb(-int(digits))
    try:
        return float(Decimal(repr(value)).quantize(exponent, rounding=ROUND_HALF_UP))
    except InvalidOperation as error:
        raise FormulaUndefined(f"round() cannot round {value} to {digits:g} digits") from error


_IMPLEMENTATIONS: dict[str, Callable[..., float]] = {
    "abs": abs,
    "max": max,
    "min": min,
    "round": _round,
}


@dataclass(frozen=True)
class Call(Expr):
    function: str
    args: tuple[Expr, ...]

    def names(self) -> set[str]:
        return set().union(*(a.names() for a in self.args))

    def evaluate(self, values: Mapping[str, float]) -> float:
        args = [a.evaluate(values) for a in self.args]
        return float(_IMPLEMENTATIONS[self.function](*args))


_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>[-+*/(),]))"
)


@dataclass(frozen=True)
class _Token:
    kind: str  # number | name | op | end
    text: str
    position: int  # 1-based


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    index = 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        match = _TOKEN.match(text, index)
        if match is None or match.lastgroup is None:
            raise FormulaError(
                f"unexpected character {text[index]!r} at position {index + 1} in formula {text!r}",
                index + 1,
            )
        start = match.start(match.lastgroup)
        tokens.append(_Token(match.lastgroup, match.group(match.lastgroup), start + 1))
        index = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def fail(self, expected: str) -> FormulaError:
        token = self.current
        found = "the end" if token.kind == "end" else repr(token.text)
        return FormulaError(
            f"expected {expected} at position {token.position} but found {found} "
            f"in formula {self.text!r}",
            token.position,
        )

    def take(self, text: str) -> bool:
        if self.current.kind == "op" and self.current.text == text:
            self.index += 1
            return True
        return False

    def parse(self) -> Expr:
        expr = self.expr()
        if self.current.kind != "end":
            raise self.fail("an operator")
        return expr

    def expr(self) -> Expr:
        node = self.term()
        while self.current.kind == "op" and self.current.text in ("+", "-"):
            token = self.current
            self.index += 1
            node = Binary(token.text, node, self.term(), token.position)
        return node

    def term(self) -> Expr:
        node = self.unary()
        while self.current.kind == "op" and self.current.text in ("*", "/"):
            token = self.current
            self.index += 1
            node = Binary(token.text, node, self.unary(), token.position)
        return node

    def unary(self) -> Expr:
        if self.take("-"):
            return Negate(self.unary())
        if self.take("+"):
            return self.unary()
        return self.primary()

    def primary(self) -> Expr:
        token = self.current
        if token.kind == "number":
            value = float(token.text)
            if not math.isfinite(value):
                raise FormulaError(f"the number at position {token.position} is too large")
            self.index += 1
            return Number(value)
        if token.kind == "name":
            self.index += 1
            if self.take("("):
                return self.call(token)
            return Name(token.text, token.position)
        if self.take("("):
            node = self.expr()
            if not self.take(")"):
                raise self.fail("')'")
            return node
        raise self.fail("a number, a name or '('")

    def call(self, name: _Token) -> Expr:
        function = name.text.lower()
        if function not in _ARITY:
            raise FormulaError(
                f"unknown function {name.text!r} at position {name.position}; "
                f"functions: {', '.join(FUNCTIONS)}",
                name.position,
            )
        args = [self.expr()]
        while self.take(","):
            args.append(self.expr())
        if not self.take(")"):
            raise self.fail("',' or ')'")
        fewest, most = _ARITY[function]
        if len(args) < fewest or (most is not None and len(args) > most):
            if most is None:
                wanted = f"at least {fewest} argument{'s' if fewest > 1 else ''}"
            elif fewest == most:
                wanted = f"{fewest} argument{'s' if fewest > 1 else ''}"
            else:
                wanted = f"{fewest} or {most} arguments"
            raise FormulaError(
                f"{function}() at position {name.position} takes {wanted}, not {len(args)}",
                name.position,
            )
        return Call(function, tuple(args))


def parse_formula(text: str) -> Expr:
    """Parse a formula; raises ``FormulaError`` naming the position of a mistake."""
    if not text.strip():
        raise FormulaError("the formula is empty: write e.g. 'a / b * 100'", 1)
    return _Parser(text).parse()


def check_names(expr: Expr, inputs: Mapping[str, object] | set[str]) -> None:
    """Raise ``FormulaError`` if the formula reads a name that is not an input."""
    known = set(inputs)
    unknown = sorted(expr.names() - known)
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise FormulaError(
            f"the formula uses {', '.join(repr(n) for n in unknown)}, which "
            f"{'is not an input' if len(unknown) == 1 else 'are not inputs'}; inputs: {listed}"
        )
