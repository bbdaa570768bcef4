"""A rough guess of a contact's language (``sv``, ``en``, ``ar``), only where it is obvious.

Routing decides properly; intake only saves agents a look for the plain cases: Arabic script,
Swedish letters or common Swedish words, common English words. Anything else stays None.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f]")
_SWEDISH = frozenset(
    "och att det är jag inte på för som med har min mitt vi ni hej tack kan vill hur när var om "
    "till från eller men så också behöver undrar".split()
)
_ENGLISH = frozenset(
    "the and is are i my you your to of for with have has please hello hi thanks thank can would "
    "how when where what this that not".split()
)


def guess_language(*texts: str | None) -> str | None:
    # Every contact passes here: the scanning is left to the regular expressions (in C).
    text = " ".join(t for t in texts if t)[:4000].lower()
    words = _WORD.findall(text)
    letters = sum(map(len, words))
    if not letters:
        return None
    if len(_ARABIC.findall(" ".join(words))) / letters > 0.3:
        return "ar"
    swedish = sum(w in _SWEDISH for w in words) + 2 * (text.count("å") + text.count("ä") + text.count("ö"))
    english = sum(w in _ENGLISH for w in words)
    if swedish >= 2 and swedish >= english:
        return "sv"
    if english >= 2 and english > swedish:
        return "en"
    return None
