"""Writing test cases with scenariogeneration (its ``xosc`` module): the bytes to save.

scenariogeneration (pyoscx) builds an OpenSCENARIO document as Python objects, but what its
``write_xml`` saves departs from the ASAM OpenSCENARIO XSD of the file's own revision in ways
that ``testzone scenario check`` reports and other tools may refuse (found with
scenariogeneration 0.14-0.16):

* ``LightStateAction`` gets its ``LightState`` before its ``LightType``; the XSD (1.2 and
  later, where the action exists) wants ``LightType`` first;
* an Act without a stop trigger gets an empty ``<StopTrigger/>`` (allowed, but it never fires:
  it is dropped);
* from OpenSCENARIO 1.2 on, the Event priority ``overwrite`` (deprecated in 1.2) is written
  where its successor ``override`` belongs.

:func:`xosc_bytes` serialises a ``scenariogeneration.xosc.Scenario`` with these put right, the
same bytes on every call (lxml pretty print, UTF-8, XML declaration; the FileHeader date is the
scenario's own, so fix it for reproducible files). :func:`write_xosc` saves them. The Wuhan
cases of :mod:`scenarios.wuhan` are written this way.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from lxml import etree


def xosc_bytes(scenario: Any) -> bytes:
    """The OpenSCENARIO file of ``scenario`` (a ``scenariogeneration.xosc.Scenario``, or any
    object with ``get_element()`` giving an ``xml.etree`` element) as bytes, in the XSD of
    the file's revision (module docstring).

    Raises:
        ValueError: the element has no ``FileHeader``.
    """
    with warnings.catch_warnings():  # the 1.2 'overwrite' it warns about is rewritten below
        warnings.filterwarnings("ignore", message="Priority.overwrite is not part of")
        raw = ET.tostring(scenario.get_element(), encoding="utf-8")
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(raw, parser)
    header = root.find("FileHeader")
    if header is None:
        raise ValueError("not an OpenSCENARIO document: no FileHeader")
    for empty in root.xpath("//Act/StopTrigger[not(*)]"):
        empty.getparent().remove(empty)
    for light_type in root.xpath("//LightStateAction/LightType"):
        light_type.getparent().insert(0, light_type)
    if int(header.get("revMinor", "0")) >= 2:
        for ev in root.xpath("//Event[@priority='overwrite']"):
            ev.set("priority", "override")
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def write_xosc(scenario: Any, path: str | Path) -> Path:
    """Save :func:`xosc_bytes` of ``scenario`` at ``path`` (its folder must exist); returns
    the path.

    Raises:
        ValueError: see :func:`xosc_bytes`. OSError: the file cannot be written.
    """
    path = Path(path)
    path.write_bytes(xosc_bytes(scenario))
    return path
