"""Numbers written as text in the XML of users' files (OpenSCENARIO, OpenDRIVE).

Both standards type their numeric attributes as XML Schema ``xsd:double`` (W3C XML Schema 1.1
Part 2, 3.3.5): optional sign, digits, optional fraction and exponent. Python's ``float``
also takes digit separators (``"1_5"`` is 15.0), which no schema allows and a file written
for another tool would read differently: refused here.
"""

from __future__ import annotations


def xsd_double(text: str) -> float:
    """``text`` as a float, the way ``float`` reads it but without ``_`` digit separators.

    Raises:
        ValueError: not a number (``"fast"``), or a ``_`` in it (``"1_5"``).
    """
    if "_" in text:
        raise ValueError(f"{text!r}: '_' is not part of an xsd:double")
    return float(text)
