"""testzone.numbers: xsd:double text, without Python's '_' digit separators."""

import pytest

from testzone.numbers import xsd_double


@pytest.mark.parametrize("text, value", [("12.5", 12.5), ("-1e3", -1000.0), (" 7 ", 7.0),
                                         ("+0.25", 0.25)])
def test_numbers_as_the_schema_writes_them(text, value):
    assert xsd_double(text) == value


@pytest.mark.parametrize("text", ["1_2.5", "1_5_0.0", "fast", "", "\u0661\u0662",
                                  "\uff11\uff12"])
def test_digit_separators_and_words_are_refused(text):
    """Hostile pass 7: "1_2.5" expanded to 12.5 (Python's float takes '_'); hostile pass 11:
    Arabic-Indic and full-width digits were read as 12 (xsd:double is ASCII)."""
    with pytest.raises(ValueError):
        xsd_double(text)


def test_scenario_and_map_readers_use_it(tmp_path):
    """A declared double "1_5_0.0" passed scenario check; an OpenDRIVE length "1_00" loaded."""
    from maps import MapsError, load_opendrive
    from scenarios.xmlsource import CONVERTERS
    with pytest.raises(ValueError):
        CONVERTERS[float]("1_5_0.0")
    assert CONVERTERS[float]("150.0") == 150.0
    xodr = tmp_path / "m.xodr"
    xodr.write_text('<?xml version="1.0"?>\n<OpenDRIVE><header revMajor="1" revMinor="6"/>\n'
                    '<road id="1" length="1_00" junction="-1"><planView><geometry s="0" x="0" '
                    'y="0" hdg="0" length="100"><line/></geometry></planView><lanes>'
                    '<laneSection s="0"><center><lane id="0" type="none"/></center>'
                    '</laneSection></lanes></road></OpenDRIVE>\n')
    with pytest.raises(MapsError, match="length='1_00' is not a number"):
        load_opendrive(xodr)


def test_expressions_take_ascii_digits_only():
    """Hostile pass 11: the expression tokenizer's \\d took any Unicode digit."""
    from scenarios.expressions import evaluate
    from scenarios.errors import ScenarioError
    assert evaluate("12 + 1", lambda name: 0) == 13.0
    with pytest.raises((ScenarioError, ValueError), match="unexpected character"):
        evaluate("\u0661\u0662 + 1", lambda name: 0)
