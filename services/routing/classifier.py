"""The free-text classifier: which category the words of a contact point at, with scores and evidence.

Built once per organisation from its categories' ``keywords`` and ``weak_keywords``. A word counts
when its stem equals a keyword's stem (weight 1, a weak keyword ``weak_weight``); a phrase (a keyword
of several words, in order) counts ``phrase_weight``. A word that matches no keyword may still
contain one as a compound part ("bygglovsansökan", "gatubelysningen": ``compound_factor``) or be one
typo away from a long keyword ("skolsjuts": ``fuzzy_factor``). Words in the subject count
``subject_weight`` times; each keyword counts once per contact, at its best. A category's score is the
sum of its evidence. Highest score wins; ties go to the higher ROSA level (the more cautious
choice), then to the category listed first. Below ``threshold`` nothing is recognised.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from lotsen.directory import Category, ClassifierSettings, Organization
from services.routing.text import ContactText, Field, Pattern, pattern, stem, words

MIN_COMPOUND_PART = 5
MIN_COMPOUND_REST = 3
MIN_FUZZY_LENGTH = 6
"""A typo is forgiven when the longer word has at least this many letters (the shorter one less)."""
_CACHE_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class _Keyword:
    category: str
    term: str
    weight: float


@dataclass(frozen=True, slots=True)
class Score:
    category: Category
    score: float
    evidence: tuple[str, ...]


_Hit = tuple[_Keyword, float]


class Classifier:
    """Scores the categories of one organisation against a contact's subject and text."""

    def __init__(self, org: Organization, settings: ClassifierSettings) -> None:
        self.settings = settings
        self._categories = {c.id: c for c in org.categories}
        self._order = {c.id: i for i, c in enumerate(org.categories)}
        self._groups = {c.id: _group_id(org, c) for c in org.categories}
        self._words: dict[str, list[_Keyword]] = defaultdict(list)
        self._phrases: dict[str, list[tuple[Pattern, _Keyword]]] = defaultdict(list)
        self._deletions: dict[str, set[str]] = defaultdict(set)
        self._compound_parts: set[str] = set()
        self._cache: dict[tuple[str, ...], tuple[_Hit, ...]] = {}
        for category in org.categories:
            for term in category.keywords:
                self._add(category.id, term, 1.0)
            for term in category.weak_keywords:
                self._add(category.id, term, settings.weak_weight)
        for form in self._words:
            if len(form) >= MIN_FUZZY_LENGTH - 1:
                for variant in _deletions(form):
                    self._deletions[variant].add(form)

    def _add(self, category: str, term: str, weight: float) -> None:
        phrase = pattern(term)
        if len(phrase) == 1:
            # Compound parts are matched as written: folded, "kärl" would be found in "Karlskoga".
            self._compound_parts.add(stem(words(term)[0]))
            for form in phrase[0]:
                known = self._words[form]
                if not any(k.category == category for k in known):  # "synpunkt" and "synpunkter": once
                    known.append(_Keyword(category, term, weight))
        elif phrase:
            keyword = _Keyword(category, term, weight * self.settings.phrase_weight)
            for form in phrase[0]:
                self._phrases[form].append((phrase, keyword))

    def scores(
        self, text: ContactText, *, department: str | None = None, answer_group: str | None = None
    ) -> list[Score]:
        """Every category with evidence, best first; ``department`` restricts, ``answer_group`` boosts."""
        best: dict[tuple[str, str], float] = {}
        for field in text.fields:
            factor = self.settings.subject_weight if field.name == "subject" else 1.0
            covered: set[tuple[str, int]] = set()
            for start, length, keyword in self._phrase_hits(field):
                _keep(best, keyword, keyword.weight * factor)
                covered.update((keyword.category, start + i) for i in range(length))
            for position, candidates in enumerate(field.tokens):
                for keyword, quality in self._match(candidates):
                    if (keyword.category, position) not in covered:
                        _keep(best, keyword, keyword.weight * quality * factor)
        totals: dict[str, float] = defaultdict(float)
        evidence: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for (category_id, term), value in best.items():
            totals[category_id] += value
            evidence[category_id].append((value, term))
        results = []
        for category_id, total in totals.items():
            category = self._categories[category_id]
            if department is not None and category.department != department:
                continue
            if answer_group is not None and self._groups[category_id] == answer_group:
                total *= self.settings.ivr_boost
            words = tuple(term for _, term in sorted(evidence[category_id], key=lambda e: (-e[0], e[1])))
            results.append(Score(category, round(total, 2), words))
        results.sort(key=lambda s: (-s.score, -s.category.rosa_level, self._order[s.category.id]))
        return results

    def recognised(self, scores: list[Score]) -> Score | None:
        """The winning score, if it reaches the threshold."""
        return scores[0] if scores and scores[0].score >= self.settings.threshold else None

    def _match(self, candidates: tuple[str, ...]) -> tuple[_Hit, ...]:
        cached = self._cache.get(candidates)
        if cached is not None:
            return cached
        hits = self._lookup(candidates)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[candidates] = hits
        return hits

    def _lookup(self, candidates: tuple[str, ...]) -> tuple[_Hit, ...]:
        exact = _unique((k, 1.0) for candidate in candidates for k in self._words.get(candidate, ()))
        if exact:
            return exact
        word = candidates[0]
        if len(word) >= MIN_FUZZY_LENGTH - 1:
            near = {w for variant in (word, *_deletions(word)) for w in self._deletions.get(variant, ())}
            near |= {w for w in _deletions(word) if w in self._words}
            near = {w for w in near if max(len(w), len(word)) >= MIN_FUZZY_LENGTH}
            if near:
                fuzzy = self.settings.fuzzy_factor
                return _unique((k, fuzzy) for other in sorted(near) for k in self._words[other])
        compound = self.settings.compound_factor
        parts = (_longest_prefix(word, self._compound_parts), _longest_suffix(word, self._compound_parts))
        return _unique((k, compound) for part in parts if part is not None for k in self._words.get(part, ()))

    def _phrase_hits(self, field: Field) -> list[tuple[int, int, _Keyword]]:
        found = []
        for start, candidates in enumerate(field.tokens):
            seen: set[int] = set()
            for first in candidates:
                for phrase, keyword in self._phrases.get(first, ()):
                    if id(keyword) not in seen and field.phrase_at(start, phrase):
                        seen.add(id(keyword))
                        found.append((start, len(phrase), keyword))
        return found


def _group_id(org: Organization, category: Category) -> str | None:
    group = org.answer_group_for_category(category)
    return group.id if group else None


def _keep(best: dict[tuple[str, str], float], keyword: _Keyword, value: float) -> None:
    key = (keyword.category, keyword.term)
    if value > best.get(key, 0.0):
        best[key] = value


def _unique(hits: Iterable[_Hit]) -> tuple[_Hit, ...]:
    """One hit per category (a word may reach two keywords of a category through its forms)."""
    chosen: dict[str, _Hit] = {}
    for keyword, quality in hits:
        kept = chosen.get(keyword.category)
        if kept is None or keyword.weight * quality > kept[0].weight * kept[1]:
            chosen[keyword.category] = (keyword, quality)
    return tuple(chosen.values())


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _longest_prefix(word: str, known: set[str]) -> str | None:
    for end in range(len(word) - MIN_COMPOUND_REST, MIN_COMPOUND_PART - 1, -1):
        if word[:end] in known:
            return word[:end]
    return None


def _longest_suffix(word: str, known: set[str]) -> str | None:
    for start in range(MIN_COMPOUND_REST, len(word) - MIN_COMPOUND_PART + 1):
        if word[start:] in known:
            return word[start:]
    return None
