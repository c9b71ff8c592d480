"""testzone.errors: the one-line error form every package uses."""

from __future__ import annotations

import pytest

from testzone.errors import MAX_MESSAGE, TestzoneError
from testzone.userfiles import UserJsonError, parse_user_json


def test_an_error_quoting_a_huge_value_stays_one_readable_line():
    err = TestzoneError("value '" + "9" * 100_000 + "' is not a number", file="x.xosc", line=3,
                        element="ParameterDeclaration")
    text = str(err)
    assert text.startswith("x.xosc:3: <ParameterDeclaration>: value '999")
    assert text.endswith("999' is not a number")
    assert len(err.message) <= MAX_MESSAGE and "characters) ..." in err.message
    assert str(TestzoneError("short")) == "short"


def test_user_json_refuses_a_key_given_twice():
    """Verify pass 11b: {"default_speed": 10, "default_speed": 20} in an agent config was
    taken as 20 in silence."""
    assert parse_user_json('{"a": {"b": 1}, "c": [{"b": 2}]}') == {"a": {"b": 1},
                                                                   "c": [{"b": 2}]}
    with pytest.raises(UserJsonError, match="key 'b' is given twice in one object"):
        parse_user_json('{"a": {"b": 1, "b": 2}}')
