"""OpenSCENARIO ${...} expressions: precedence, functions, logic, esmini's string concatenation."""

import math

import pytest


from scenarios.expressions import ExpressionError, evaluate, format_value

PARAMS = {"EgoSpeed": 108.0, "HeadwayTime_Brake": 0.7, "n": 3, "flag": True, "name": "car"}


def ev(text):
    return evaluate(text, PARAMS.__getitem__)


@pytest.mark.parametrize("text, expected", [
    ("1 + 2 * 3", 7.0),                 # * binds tighter than +
    ("(1 + 2) * 3", 9.0),
    ("10 - 4 - 3", 3.0),                # left associative
    ("2 * 3 % 4", 2.0),                 # (2*3) % 4
    ("-3 + 5", 2.0),
    ("--3", 3.0),
    ("$EgoSpeed / 3.6", 30.0),
    ("$n * 2", 6.0),
    ("2 ** 3 ** 2", 512.0),             # right associative power
    ("round(2.5) + round(-2.5)", 0.0),  # half away from zero: 3 + -3
    ("floor(-1.5) + ceil(1.2)", 0.0),   # -2 + 2
    ("sqrt(16) + pow(2, 10)", 1028.0),
    ("1.5e2 + .5", 150.5),
    ("-7 % 3", -1.0),                   # C fmod keeps the dividend's sign
    # 9.2.1 as published now (realinputs16b: esmini's files use them): radians
    ("sin(pi / 6) + cos(0) + tan(pi / 4)", 2.5),          # 0.5 + 1 + 1
    ("asin(1) * 2 - pi + acos(1) + atan(1) * 4", math.pi),  # 0 + 0 + pi
    ("sign(-3.2) + sign(0) + sign(7)", 0.0),
    ("abs(-2.5) + max(1, $n) + min(-1, 2)", 4.5),          # 2.5 + 3 - 1
])
def test_arithmetic(text, expected):
    assert ev(text) == pytest.approx(expected)


@pytest.mark.parametrize("text, expected", [
    ("1 < 2 and 3 >= 3", True),
    ("not 1 == 1 or 2 != 2", False),    # (not (1==1)) or (2!=2)
    ("not (1 > 2)", True),
    ("$flag and true", True),
    ("false or $n > 2", True),
])
def test_logic(text, expected):
    assert ev(text) is expected


def test_esmini_string_concatenation():
    assert ev("BrakeCondition_HWT + _ + $HeadwayTime_Brake") == "BrakeCondition_HWT_0.7"
    assert ev("$name + _ + $n") == "car_3"


def test_format_value_drops_integral_decimals():
    assert format_value(2.0) == "2"
    assert format_value(0.1 + 0.2) == repr(0.1 + 0.2)
    assert format_value(True) == "true"


@pytest.mark.parametrize("text, message", [
    ("1 +", "unexpected end"),
    ("(1 + 2", "unexpected end, expected ')'"),
    ("1 / 0", "division by zero"),
    ("$missing + 1", "unknown parameter '$missing'"),
    ("sqrt(-1)", "sqrt(-1) is undefined"),
    ("pow(2, 5000)", "pow(2, 5000) is too large for a double"),
    ("sinh(1)", "unknown function 'sinh': expected one of abs, acos, asin, atan, ceil, cos, "
                "floor, max, min, pow, round, sign, sin, sqrt, tan (ASAM OpenSCENARIO XML "
                "9.2.1)"),
    ("asin(2)", "asin(2) is undefined"),
    ("max(1)", "max() takes 2 argument(s), got 1"),
    ("pow(2)", "takes 2 argument"),
    ("1 # 2", "unexpected character"),
    ("1 2", "unexpected '2'"),
])
def test_errors(text, message):
    with pytest.raises(ExpressionError) as info:
        ev(text)
    assert message in str(info.value)


def test_no_eval_of_python():
    # A Python expression is not an OpenSCENARIO one: names are plain strings, calls rejected.
    assert ev("__import__") == "__import__"
    with pytest.raises(ExpressionError):
        ev("__import__('os')")
    assert math.isclose(ev("1 + 1"), 2.0)
