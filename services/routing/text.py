"""Words as the classifier and the rules compare them: lower-cased and stemmed (Swedish Snowball).

A keyword matches a word whose stem equals the keyword's stem. Three details make that work on what
citizens actually type:

- Written without å, ä and ö ("snorojning"), a word still matches: a keyword (of five letters or
  more) is also known by its folded stem. A word written *with* them keeps them, so "rätt" never
  matches "råtta".
- The stemmer leaves the definite form of short words alone ("hyran", "snön", "nyckeln"), so a word
  also offers the stem of its form without that ending.
- A keyword whose stem is very short ("demens" → "dem") is known by its whole form instead, so
  "dem" (them) does not match it; a word offers its whole form as a last candidate.

Everything here is pure and memoised: the same word is stemmed once per process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[^\W\d_]+")
_ACCENTS = str.maketrans({"é": "e", "è": "e", "ü": "u", "æ": "ä", "ø": "ö", "á": "a", "à": "a"})
_SWEDISH = str.maketrans({"å": "a", "ä": "a", "ö": "o"})
_DEFINITE_ENDINGS = ("arna", "erna", "orna", "an", "en", "et", "n")
SHORT_STEM = 3
_stemmer = snowballstemmer.stemmer("swedish")

Pattern = tuple[frozenset[str], ...]
"""A keyword or phrase: per word, the forms that match it."""


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased (letters only: digits and punctuation separate words)."""
    return _WORD.findall(text.lower().translate(_ACCENTS))


def fold(word: str) -> str:
    """Without å, ä and ö."""
    return word.translate(_SWEDISH)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


@lru_cache(maxsize=65536)
def stem_candidates(word: str) -> tuple[str, ...]:
    """What one word of a contact may match: its stem, the stem without a kept definite ending, itself."""
    found = [stem(word)]
    for ending in _DEFINITE_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= SHORT_STEM:
            found.append(stem(word[: -len(ending)]))
            break
    found.append(word)
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=16384)
def keyword_forms(word: str) -> frozenset[str]:
    """The forms one word of a keyword is known by: its stem (whole form if the stem is short), folded."""
    stemmed = stem(word)
    base = word if len(stemmed) <= SHORT_STEM < len(word) - 1 else stemmed
    # A short folded form would collide with other words ("mår" folded is "mar", as in "mars").
    return frozenset({base, fold(base)}) if len(base) > SHORT_STEM + 1 else frozenset({base})


def pattern(keyword: str) -> Pattern:
    """A keyword or phrase as the sequence of forms it must match, word by word."""
    return tuple(keyword_forms(w) for w in words(keyword))


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a contact (subject or text) as the stem candidates of its words, in order."""

    name: str
    tokens: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, name: str, text: str | None) -> Field:
        return cls(name, tuple(stem_candidates(w) for w in words(text or "")))

    def phrase_at(self, start: int, phrase: Pattern) -> bool:
        end = start + len(phrase)
        if end > len(self.tokens):
            return False
        return all(any(c in phrase[i] for c in self.tokens[start + i]) for i in range(len(phrase)))

    def contains(self, phrase: Pattern) -> bool:
        return any(self.phrase_at(start, phrase) for start in range(len(self.tokens) - len(phrase) + 1))


@dataclass(frozen=True, slots=True)
class ContactText:
    """The subject and text of a contact, tokenised once for the rules and the classifier."""

    subject: Field
    body: Field

    @classmethod
    def of(cls, subject: str | None, text: str | None) -> ContactText:
        return cls(Field.of("subject", subject), Field.of("text", text))

    @property
    def fields(self) -> tuple[Field, Field]:
        return (self.subject, self.body)

    def candidates(self) -> frozenset[str]:
        return frozenset(c for f in self.fields for token in f.tokens for c in token)

    def contains(self, phrase: Pattern, candidates: frozenset[str] | None = None) -> bool:
        """Whether the subject or the text has this word, or this phrase (its words in order)."""
        known = candidates if candidates is not None else self.candidates()
        if any(forms.isdisjoint(known) for forms in phrase):
            return False  # a word of it is missing altogether: no need to look for the order
        return len(phrase) == 1 or any(f.contains(phrase) for f in self.fields)
