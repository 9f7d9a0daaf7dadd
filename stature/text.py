"""Text made safe for the formats Stature writes (HTML, XML): the characters they forbid are dropped."""
from __future__ import annotations

import re

_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean(text) -> str:
    """``text`` as a string without the characters HTML and XML forbid."""
    return _INVALID.sub("", str(text))
