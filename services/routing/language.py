"""A rough guess of the language a contact is written in, so first line can pick an agent who speaks it.

The contact centres answer in Swedish, English and Arabic (DESIGN §1). The guess looks at the
writing system first (Arabic script → ``ar``; another non-Latin script → ``other``), then, for Latin
script, counts common Swedish and English function words (å, ä and ö count for Swedish, unless the
doubled vowels of Finnish show). Latin text with neither → ``other``; no letters at all → ``None``.
"""

from __future__ import annotations

import re

from services.routing.text import words

SWEDISH = frozenset(
    "och att det som en ett är på för med har inte jag vi ni du min mitt mina er ert hej tack kan om "
    "till från hur var när vad varför skulle vill måste eller men också någon inga ingen vår våra de "
    "den dem sig hos efter under mycket bara redan fortfarande hälsningar mvh vänligen behöver fick "
    "får kommer blir blev kommunen".split()
)
ENGLISH = frozenset(
    "the and to is are was were of on for with have has not we you my our your hello hi thanks "
    "thank please can could would should will how what when where why this that there it be been "
    "regards dear need help do does did from about any".split()
)
_DOUBLED_VOWEL = re.compile(r"(ää|öö|yy|aa|ii|uu)")
_LETTERS = re.compile(r"[^\W\d_]+")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")


def detect_language(*texts: str | None) -> str | None:
    """``sv``, ``en``, ``ar`` or ``other`` for the given texts together; ``None`` without letters."""
    text = " ".join(t for t in texts if t)
    letters = sum(len(w) for w in _LETTERS.findall(text))
    if letters == 0:
        return None
    arabic = len(_ARABIC.findall(text))
    latin = len(_LATIN.findall(text))
    other = letters - arabic - latin
    if arabic >= max(latin, other):
        return "ar"
    if other > latin:
        return "other"
    tokens = words(text)
    swedish = sum(1 for w in tokens if w in SWEDISH)
    english = sum(1 for w in tokens if w in ENGLISH)
    lowered = text.lower()
    # å is Swedish; ä and ö are Finnish and Estonian too, which double their vowels ("päivää").
    if "å" in lowered or (("ä" in lowered or "ö" in lowered) and not _DOUBLED_VOWEL.search(lowered)):
        swedish += 1
    if swedish == 0 and english == 0:
        return "other"
    return "sv" if swedish >= english else "en"
