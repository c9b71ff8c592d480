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
    ("sin(1)", "unknown function 'sin': expected one of ceil, floor, pow, round, sqrt"),
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
