"""The formula language: precedence, functions, errors, and percentiles."""

from __future__ import annotations

import pytest

from okrsync.errors import ConfigError
from okrsync.evaluate import FormulaError, FormulaUndefined, parse_formula, percentile


def value(text: str, **names: float) -> float:
    return parse_formula(text).evaluate(names)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),  # * before +
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),  # left to right: (10 - 4) - 3
        ("24 / 4 / 2", 3),  # (24 / 4) / 2
        ("-2 * 3", -6),
        ("2 * -3", -6),
        ("--2", 2),
        ("+2 - -2", 4),
        ("-(1 + 2) * 2", -6),
        ("1.5e2 + .5", 150.5),
        ("min(3, 1, 2)", 1),
        ("max(3, 1, 2) * 2", 6),
        ("abs(2 - 5)", 3),
        ("round(2.5)", 3),  # half away from zero, as people round
        ("round(-2.5)", -3),
        ("round(1.005, 2)", 1.01),
        ("round(1234, -2)", 1200),
        ("MIN(1, 2)", 1),  # function names in any case
    ],
)
def test_arithmetic(text: str, expected: float) -> None:
    assert value(text) == pytest.approx(expected)


def test_names_and_their_values() -> None:
    expr = parse_formula("done / total * 100 + min(bonus, 5)")
    assert expr.names() == {"done", "total", "bonus"}
    assert expr.evaluate({"done": 3, "total": 4, "bonus": 9}) == pytest.approx(80.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a +", "expected a number, a name or '(' at position 4 but found the end"),
        ("(a + b", "expected ')' at position 7 but found the end"),
        ("a b", "expected an operator at position 3 but found 'b'"),
        ("a * * b", "expected a number, a name or '(' at position 5 but found '*'"),
        ("3 % 2", "unexpected character '%' at position 3"),
        ("sqrt(a)", "unknown function 'sqrt' at position 1; functions: abs, max, min, round"),
        ("abs(1, 2)", "abs() at position 1 takes 1 argument, not 2"),
        ("round(1, 2, 3)", "round() at position 1 takes 1 or 2 arguments, not 3"),
        ("min(1,)", "expected a number, a name or '(' at position 7 but found ')'"),
        ("", "the formula is empty"),
    ],
)
def test_syntax_errors_name_the_position(text: str, message: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    assert message in str(caught.value)
    assert isinstance(caught.value, ConfigError)  # the mapping file must be fixed


def test_unknown_name_lists_the_inputs() -> None:
    with pytest.raises(FormulaError, match=r"unknown name 'c' at position 5; inputs: a, b"):
        value("a + c", a=1, b=2)


def test_division_by_zero_is_undefined_not_a_crash() -> None:
    with pytest.raises(FormulaUndefined, match="division by zero at position 3"):
        value("a / b", a=1, b=0)


def test_round_needs_whole_digits() -> None:
    with pytest.raises(FormulaUndefined):
        value("round(1.25, 0.5)")


def test_nothing_is_evaluated_as_python() -> None:
    for text in ("__import__('os')", "a.b", "a[0]", "a ** 2", "lambda: 1"):
        with pytest.raises(FormulaError):
            parse_formula(text)


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        # numpy.percentile(values, p) with the default linear method, computed by hand:
        ([7.0], 50, 7.0),
        ([1, 2, 3, 4], 50, 2.5),  # rank 1.5 -> 2 + 0.5 * 1
        ([1, 2, 3, 4], 25, 1.75),  # rank 0.75 -> 1 + 0.75 * 1
        ([15, 20, 35, 40, 50], 40, 29.0),  # rank 1.6 -> 20 + 0.6 * 15
        ([50, 15, 40, 20, 35], 40, 29.0),  # order does not matter
        ([3, 1, 2], 0, 1.0),
        ([3, 1, 2], 100, 3.0),
        ([10, 20], 90, 19.0),  # rank 0.9 -> 10 + 0.9 * 10
    ],
)
def test_percentile_interpolates_like_numpy(values: list[float], p: float, expected: float) -> None:
    assert percentile(values, p) == pytest.approx(expected)


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
