"""The free-text classifier: Swedish stems, misspellings, compounds, weights, ties, vagueness; language."""

from __future__ import annotations

from typing import Any

import pytest

from lotsen.directory import Directory, directory_from, parse_directory
from services.routing.classifier import Classifier, Score
from services.routing.language import detect_language
from services.routing.text import ContactText

DIRECTORY = directory_from()


def classify(text: str, subject: str | None = None, org: str = "karlskoga", **kwargs: Any) -> list[Score]:
    organization = DIRECTORY.organization(org)
    assert organization is not None
    return Classifier(organization, DIRECTORY.classifier).scores(ContactText.of(subject, text), **kwargs)


def best(text: str, subject: str | None = None, org: str = "karlskoga") -> str | None:
    scores = classify(text, subject, org)
    return scores[0].category.id if scores and scores[0].score >= DIRECTORY.classifier.threshold else None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Soptunnan har inte tömts", "avfall"),  # definite form the stemmer keeps: "soptunnan"
        ("Snöröjningen är dålig på vår gata", "snorojning"),
        ("snorojningen ar dalig pa var gata", "snorojning"),  # written without å, ä, ö
        ("skolsjutsen kom inte idag", "skolskjuts"),  # one letter missing
        ("Hur lång tid tar en bygglovsansökan?", "bygglov"),  # inside a compound
        ("Gatubelysningen lyser inte", "felanmalan-gata-park"),
        ("Vi vill bekräfta faderskapet", "faderskap"),
        ("My mother needs home care", "bistand-aldre"),
        ("Hyran är för hög", None),  # a housing company's word: no municipal category
    ],
)
def test_words_are_matched_by_their_stems(text: str, category: str | None) -> None:
    assert best(text) == category


def test_a_word_written_with_swedish_letters_keeps_them() -> None:
    # Folded, "rätt" and "råttor" would both be "ratt".
    assert all(s.category.id != "skadedjur" for s in classify("Har vi rätt till skolskjuts?"))
    assert best("Vi har råttor i källaren") == "skadedjur"


def test_a_short_stem_is_matched_as_a_whole_word() -> None:
    # "demens" stems to "dem" ("them"); the keyword must not fire on "dem".
    assert all(s.category.id != "bistand-aldre" for s in classify("Kan ni fälla dem?"))
    assert best("Pappa har demens och bor ensam") == "bistand-aldre"


def test_the_subject_weighs_more_than_the_text() -> None:
    text = "Frågor om bygglov och om sophämtning"
    assert best(text, subject="Sophämtning") == "avfall"
    assert best(text, subject="Bygglov") == "bygglov"


def test_a_phrase_counts_once_and_more_than_its_words() -> None:
    [score, *_] = classify("Det är ett hål i asfalten")
    assert score.category.id == "felanmalan-gata-park"
    assert score.evidence == ("hål i asfalten",)
    assert score.score == DIRECTORY.classifier.phrase_weight


def test_the_same_word_twice_counts_once() -> None:
    once = classify("Jag undrar om bygglov")[0].score
    assert classify("Jag undrar om bygglov, bygglov, bygglov")[0].score == once


def tiny(categories: list[dict[str, Any]]) -> Directory:
    return parse_directory(
        {
            "catalogue": {
                "answer_groups": [{"id": "ovrigt", "name": "Övrigt", "departments": ["a", "b"]}],
                "categories": [{"id": "ovriga-arenden", "name": "Övrigt", "rosa_level": 1}, *categories],
            },
            "organizations": [
                {
                    "id": "x",
                    "code": "XX",
                    "name": "X",
                    "departments": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
                }
            ],
        }
    )


def test_ties_go_to_the_higher_rosa_level_then_to_the_first_listed() -> None:
    same = {"keywords": ["staket"]}
    directory = tiny(
        [
            {"id": "forst", "name": "F", "department": "a", "rosa_level": 2, **same},
            {"id": "andra", "name": "A", "department": "b", "rosa_level": 2, **same},
            {"id": "tredje", "name": "T", "department": "b", "rosa_level": 5, **same},
        ]
    )
    org = directory.organizations[0]
    scores = Classifier(org, directory.classifier).scores(ContactText.of(None, "Ett staket"))
    assert [s.category.id for s in scores] == ["tredje", "forst", "andra"]


def test_a_vague_contact_recognises_nothing_and_still_shows_its_scores() -> None:
    org = DIRECTORY.organization("karlskoga")
    assert org is not None
    classifier = Classifier(org, DIRECTORY.classifier)
    scores = classifier.scores(ContactText.of(None, "Jag har en fråga om en avgift"))
    assert scores and scores[0].score < DIRECTORY.classifier.threshold
    assert classifier.recognised(scores) is None


def test_scores_can_be_restricted_to_a_department() -> None:
    text = "Min mamma behöver hemtjänst och vi har fått en faktura"
    assert {s.category.department for s in classify(text, department="ledningskontoret")} == {
        "ledningskontoret"
    }


@pytest.mark.parametrize(
    ("texts", "language"),
    [
        (("Hej, jag undrar när biblioteket öppnar?",), "sv"),
        (("Ansökan", "Behöver hjälp med skolskjuts för min son"), "sv"),
        (("Hello, I would like to know when the library opens",), "en"),
        (("مرحبا، أحتاج مساعدة في السكن",), "ar"),
        (("مرحبا أحتاج مساعدة. Jag heter Ahmed",), "ar"),
        (("Здравствуйте, мне нужна помощь",), "other"),
        (("Hyvää päivää, tarvitsen apua",), "other"),
        (("", None), None),
        (("12345 ???",), None),
    ],
)
def test_the_language_is_guessed_from_script_and_common_words(
    texts: tuple[str | None, ...], language: str | None
) -> None:
    assert detect_language(*texts) == language
