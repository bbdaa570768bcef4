"""A rough guess of a contact's language (``sv``, ``en``, ``ar``), only where it is obvious.

Routing decides properly; intake only saves agents a look for the plain cases: Arabic script,
Swedish letters or common Swedish words, common English words. Anything else stays None.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+")
_SWEDISH = frozenset(
    "och att det är jag inte på för som med har min mitt vi ni hej tack kan vill hur när var om "
    "till från eller men så också behöver undrar".split()
)
_ENGLISH = frozenset(
    "the and is are i my you your to of for with have has please hello hi thanks thank can would "
    "how when where what this that not".split()
)


def guess_language(*texts: str | None) -> str | None:
    text = " ".join(t for t in texts if t)[:4000]
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f")
    if arabic / len(letters) > 0.3:
        return "ar"
    words = [w.lower() for w in _WORD.findall(text)]
    swedish = sum(1 for w in words if w in _SWEDISH) + 2 * sum(1 for c in text.lower() if c in "åäö")
    english = sum(1 for w in words if w in _ENGLISH)
    if swedish >= 2 and swedish >= english:
        return "sv"
    if english >= 2 and english > swedish:
        return "en"
    return None
