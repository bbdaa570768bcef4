"""The directory as data: the demo catalogue, agreements deciding first line, and refusal of broken files."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from lotsen.directory import (
    DEMO_FILE,
    FALLBACK_CATEGORY,
    DirectoryError,
    directory_from,
    load_directory,
    parse_directory,
)

DIRECTORY = directory_from()
SHARED_DEPARTMENTS = {"samhallsbyggnad", "social", "skola", "kultur", "folkhalsa", "ledningskontoret"}
KEPT_CATEGORIES = {
    "ovriga-arenden",
    "bygglov",
    "felanmalan-gata-park",
    "snorojning",
    "skolskjuts",
    "forskoleplacering",
    "forsorjningsstod",
    "synpunkt",
}


def minimal(**changes: Any) -> dict[str, Any]:
    """A small valid directory file to break in one place."""
    raw: dict[str, Any] = {
        "catalogue": {
            "answer_groups": [
                {"id": "ovrigt", "name": "Övrigt", "ivr_digit": "5", "departments": ["kansli"]}
            ],
            "categories": [
                {"id": "ovriga-arenden", "name": "Övrigt", "rosa_level": 1, "answer_group": "ovrigt"},
                {
                    "id": "vigsel",
                    "name": "Vigsel",
                    "department": "kansli",
                    "rosa_level": 3,
                    "keywords": ["vigsel"],
                },
                {"id": "tillsyn", "name": "Tillsyn", "department": "kansli", "rosa_level": 6},
            ],
            "agreements": [{"department": "kansli", "first_line": ["vigsel"]}],
        },
        "organizations": [
            {
                "id": "x",
                "code": "XX",
                "name": "X kommun",
                "departments": [{"id": "kansli", "name": "Kansliet"}],
            }
        ],
    }
    for path, value in changes.items():
        target = raw
        *parents, last = path.split(".")
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return raw


def test_the_demo_catalogue_has_the_errand_types_of_the_seeds() -> None:
    ids = {c.id for org in DIRECTORY.organizations for c in org.categories}
    assert len(ids) >= 60
    from_the_seeds = {
        "bygglov", "miljoskydd", "detaljplan", "skolskjuts", "forskoleplacering", "felanmalan-gata-park",
        "snorojning", "avfall", "faderskap", "forsorjningsstod", "fardtjanst", "bistand-aldre",
        "ritningsarkiv", "feriejobb", "val", "fakturor", "modersmal", "eldning-kompost",
    }  # fmt: skip
    assert from_the_seeds <= ids
    for org in DIRECTORY.organizations:
        departments = {d.id for d in org.departments}
        assert SHARED_DEPARTMENTS <= departments, org.id
        assert KEPT_CATEGORIES <= {c.id for c in org.categories}, org.id
        for category in org.categories:
            assert category.department is None or category.department in departments
            assert category.keywords or category.id == FALLBACK_CATEGORY, category.id
        assert {
            f.id: f.category_hint for f in org.forms if f.id in ("kontakta-oss", "synpunkt", "felanmalan")
        } == {
            "kontakta-oss": None,
            "synpunkt": "synpunkt",
            "felanmalan": "felanmalan-gata-park",
        }


def test_the_addresses_of_the_demo_organisations() -> None:
    assert DIRECTORY.default_organization.id == "karlskoga"
    assert DIRECTORY.organization_for_email("Kommun@Karlskoga.example").id == "karlskoga"  # type: ignore[union-attr]
    assert DIRECTORY.organization_for_email("kundservice@karlskogahem.example").code == "KHEM"  # type: ignore[union-attr]
    assert DIRECTORY.organization_for_facebook_page("104857600000001").id == "karlskoga"  # type: ignore[union-attr]
    assert DIRECTORY.organization_for_phone_number("+4658681000").id == "karlskoga"  # type: ignore[union-attr]


def test_agreements_and_rosa_decide_who_handles_each_category() -> None:
    karlskoga = DIRECTORY.organization("karlskoga")
    assert karlskoga is not None
    for category in karlskoga.categories:
        agreement = karlskoga.agreement(category.department)
        listed = agreement is not None and category.id in agreement.first_line
        expected = category.department is None or (listed and category.rosa_level <= 4)
        assert (category.handled_by == "first_line") == expected, category.id
        if category.rosa_level >= 5:
            assert category.handled_by == "department"
    # Folkhälsoförvaltningen kept its own contacts (the seed): no agreement, every errand stays there.
    assert karlskoga.agreement("folkhalsa") is None
    assert all(c.handled_by == "department" for c in karlskoga.categories if c.department == "folkhalsa")
    assert all(c.confidential for c in karlskoga.categories if c.department == "social")


def test_organisations_adjust_the_catalogue() -> None:
    hem = DIRECTORY.organization("karlskogahem")
    degerfors = DIRECTORY.organization("degerfors")
    assert hem is not None and degerfors is not None
    snow = hem.category("snorojning")
    assert snow is not None and snow.department == "fastighet" and snow.handled_by == "first_line"
    assert hem.category("miljoskydd") is None  # excluded: not a housing company's errand
    assert hem.answer_group_for_department("uthyrning").id == "hyresgastservice"  # type: ignore[union-attr]
    assert {"felanmalan-lagenhet", "hyra", "bostadsko"} <= {c.id for c in hem.categories}
    faderskap = degerfors.category("faderskap")
    assert faderskap is not None and faderskap.handled_by == "department"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"catalogue.categories.1.department": "kanslii"},
            "category vigsel names unknown department kanslii",
        ),
        (
            {"catalogue.agreements": [{"department": "kansli", "first_line": ["tillsyn"]}]},
            "lists tillsyn (ROSA 6); ROSA 5–6 stays with the department",
        ),
        (
            {"catalogue.agreements": [{"department": "kansli", "first_line": ["vigsle"]}]},
            "the agreement with kansli lists unknown category vigsle",
        ),
        (
            {"catalogue.answer_groups.0.departments": ["kansli", "skola"]},
            "answer group ovrigt serves unknown departments ['skola']",
        ),
        ({"catalogue.categories.0": {"id": "annat", "name": "A", "rosa_level": 1}}, "fallback category"),
        (
            {"catalogue.categories.1.handled_by": "first_line"},
            "list the category under agreements[].first_line instead",
        ),
        ({"organizations.0.exclude_categories": ["nope"]}, "exclude_categories: unknown categories ['nope']"),
        ({"catalogue.categories.1.rosa_level": 7}, "rosa_level"),
        ({"catalogue.categories.1.answer_group": "bygg"}, "category vigsel names unknown answer group bygg"),
    ],
)
def test_a_broken_directory_is_refused_and_says_where(changes: dict[str, Any], problem: str) -> None:
    assert parse_directory(minimal())  # the base is valid
    with pytest.raises(DirectoryError) as refused:
        parse_directory(minimal(**changes))
    assert problem in str(refused.value)


def test_a_municipality_file_can_name_its_catalogue_file(tmp_path: Path) -> None:
    raw = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    (tmp_path / "catalogue.yaml").write_text(
        (DEMO_FILE.parent / "catalogue.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    own = copy.deepcopy(raw)
    own["organizations"] = [o for o in raw["organizations"] if o["id"] == "degerfors"]
    own["organizations"][0]["default"] = True
    (tmp_path / "degerfors.yaml").write_text(yaml.safe_dump(own, allow_unicode=True), encoding="utf-8")
    directory = load_directory(tmp_path / "degerfors.yaml")
    assert [o.id for o in directory.organizations] == ["degerfors"]
    missing = copy.deepcopy(own)
    missing["catalogue"] = "saknas.yaml"
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(missing, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DirectoryError, match="catalogue: cannot read"):
        load_directory(tmp_path / "broken.yaml")
