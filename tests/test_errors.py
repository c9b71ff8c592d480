"""testzone.errors: the one-line error form every package uses."""

from __future__ import annotations

from testzone.errors import MAX_MESSAGE, TestzoneError


def test_an_error_quoting_a_huge_value_stays_one_readable_line():
    err = TestzoneError("value '" + "9" * 100_000 + "' is not a number", file="x.xosc", line=3,
                        element="ParameterDeclaration")
    text = str(err)
    assert text.startswith("x.xosc:3: <ParameterDeclaration>: value '999")
    assert text.endswith("999' is not a number")
    assert len(err.message) <= MAX_MESSAGE and "characters) ..." in err.message
    assert str(TestzoneError("short")) == "short"
