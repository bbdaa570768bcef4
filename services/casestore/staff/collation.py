"""Swedish ordering and matching of the staff directory (docs/cases.md, "Switchboard and staff directory").

Swedes treat Å, Ä and Ö as letters of their own, after Z: "Öberg" sorts after "Zetterlund", and
typing "ost" does not find "Östersund". Case never matters ("ö" finds "Ö"), and the variants Swedish
dictionaries file under a letter count as that letter: é, è, ë as e, á, à as a, ü as y, æ as ä,
ø as ö. W is its own letter (since 2006).

The rule lives here, in Python, and nowhere else: a directory entry stores the words it is found by
(:func:`search_words`, folded by it) and its sort key (:func:`sort_key`), so a query matches the same
way on every store. The repository sorts by the stored key, whose binary order (a server's simple
comparison of UTF-8 strings, which follows code points) is the Swedish order, so no server collation
is needed (staff/repository.py).
"""

from __future__ import annotations

import re
import unicodedata

_VARIANTS = str.maketrans(
    {"é": "e", "è": "e", "ë": "e", "ê": "e", "á": "a", "à": "a", "â": "a", "ü": "y", "æ": "ä", "ø": "ö"}
)
# After z, in the Swedish order; private-use code points keep them apart from anything typed.
_AFTER_Z = str.maketrans({"å": "\ue001", "ä": "\ue002", "ö": "\ue003"})
_WORD = re.compile(r"[^\W_]+")
_NOT_DIGIT = re.compile(r"\D")


def fold(text: str) -> str:
    """Lower case with Swedish letters kept and their variants merged: "Åsa Andrén" → "åsa andren"."""
    composed = unicodedata.normalize("NFC", text).casefold()
    return composed.translate(_VARIANTS)


def sort_key(text: str) -> str:
    """A key whose plain string order is the Swedish alphabetical order of ``text``."""
    return fold(text).translate(_AFTER_Z)


def surname_first(name: str) -> str:
    """ "Åsa Öberg" → "Öberg Åsa": a directory is in the order of surnames, as a phone book."""
    given, _, surname = name.strip().rpartition(" ")
    return f"{surname} {given}".strip()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def phone_forms(number: str) -> list[str]:
    """A number's digits as typed in Sweden: "+46 586 610 00" also as "058661000" and "61000"."""
    digits = _NOT_DIGIT.sub("", number)
    if not digits:
        return []
    forms = {digits}
    if number.strip().startswith("+46") and digits.startswith("46"):
        forms.add("0" + digits[2:])
    return sorted(forms)


def search_words(*texts: str, phones: tuple[str, ...] = ()) -> list[str]:
    """Every word an entry is found by, folded, and its phone numbers' digit forms."""
    found = {w for text in texts for w in words(text)}
    found.update(form for phone in phones for form in phone_forms(phone))
    return sorted(found)


def query_patterns(query: str) -> list[str]:
    """One regular expression per typed word, each to match one of an entry's ``search_words``: a
    word matches from the start of a word; digits (a number or its end, an extension) anywhere."""
    patterns = []
    for word in words(query):
        escaped = re.escape(word)
        patterns.append(escaped if word.isdigit() else f"^{escaped}")
    return patterns
