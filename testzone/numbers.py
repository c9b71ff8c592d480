"""Numbers written as text in the XML of users' files (OpenSCENARIO, OpenDRIVE).

Both standards type their numeric attributes as XML Schema ``xsd:double`` (W3C XML Schema 1.1
Part 2, 3.3.5): optional sign, digits, optional fraction and exponent. Python's ``float``
also takes digit separators (``"1_5"`` is 15.0), which no schema allows and a file written
for another tool would read differently: refused here.
"""

from __future__ import annotations


def xsd_double(text: str) -> float:
    """``text`` as a float, the way ``float`` reads it but without ``_`` digit separators and
    with ASCII digits only (XML Schema 1.1 part 2, 3.3.5 double: its lexical space is ASCII;
    ``float`` also reads Arabic-Indic ``١٢`` and full-width ``１２`` as 12).

    Raises:
        ValueError: not a number (``"fast"``), a ``_`` in it (``"1_5"``), or a character
            outside ASCII.
    """
    if "_" in text:
        raise ValueError(f"{text!r}: '_' is not part of an xsd:double")
    if not text.isascii():
        raise ValueError(f"{text!r}: an xsd:double is written in ASCII digits")
    return float(text)
