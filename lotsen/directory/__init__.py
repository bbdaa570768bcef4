"""The directory: organisations, departments, answer groups, categories, forms and channel addresses.

Shipped as data (``demo.yaml``, modelled on the seeds: Karlskoga answering for Degerfors and
Karlskogahem, Botkyrka's IVR menu). The setting ``LOTSEN_DIRECTORY_FILE`` points at a
municipality's own file; services load it once at start-up onto their runtime.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

DEMO_FILE = Path(__file__).with_name("demo.yaml")
FALLBACK_CATEGORY = "ovriga-arenden"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Department(_Model):
    id: str
    name: str
    email: str | None = None
    on_call_phone: str | None = None
    confidential: bool = False


class OpeningHours(_Model):
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4], description="0 = Monday")
    opens: time = time(7, 30)
    closes: time = time(17, 0)


class AnswerGroup(_Model):
    id: str
    name: str
    ivr_digit: str | None = None
    departments: list[str] = Field(default_factory=list)
    opening_hours: OpeningHours = Field(default_factory=OpeningHours)


class Category(_Model):
    id: str
    name: str
    department: str | None = None
    rosa_level: int = Field(ge=1, le=6)
    handled_by: str = Field(pattern="^(first_line|department)$")
    keywords: list[str] = Field(default_factory=list)
    confidential: bool = False


class FormField(_Model):
    name: str
    required: bool = False


class Form(_Model):
    id: str
    name: str
    category_hint: str | None = None
    anonymous_allowed: bool = False
    location: bool = False
    fields: list[FormField] = Field(default_factory=list)


class Organization(_Model):
    id: str
    code: str = Field(pattern="^[A-Z]{2,6}$", description="the prefix of case references")
    name: str
    default: bool = False
    email_addresses: list[str] = Field(default_factory=list)
    facebook_pages: list[str] = Field(default_factory=list)
    phone_numbers: list[str] = Field(default_factory=list)
    departments: list[Department]
    answer_groups: list[AnswerGroup]
    categories: list[Category]
    forms: list[Form] = Field(default_factory=list)
    ivr_connect_digit: str | None = Field(
        None, description="the digit that connects to a named person: no case"
    )

    @model_validator(mode="after")
    def _references_resolve(self) -> Organization:
        departments = {d.id for d in self.departments}
        for group in self.answer_groups:
            unknown = set(group.departments) - departments
            if unknown:
                raise ValueError(f"answer group {group.id} serves unknown departments {sorted(unknown)}")
        for cat in self.categories:
            if cat.department is not None and cat.department not in departments:
                raise ValueError(f"category {cat.id} names unknown department {cat.department}")
        if FALLBACK_CATEGORY not in {c.id for c in self.categories}:
            raise ValueError(f"organisation {self.id} lacks the fallback category {FALLBACK_CATEGORY}")
        return self

    def department(self, department_id: str) -> Department | None:
        return next((d for d in self.departments if d.id == department_id), None)

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def form(self, form_id: str) -> Form | None:
        return next((f for f in self.forms if f.id == form_id), None)

    def answer_group_for_digit(self, digit: str) -> AnswerGroup | None:
        return next((g for g in self.answer_groups if g.ivr_digit == digit), None)

    def answer_group_for_department(self, department_id: str | None) -> AnswerGroup | None:
        if department_id is None:
            return None
        return next((g for g in self.answer_groups if department_id in g.departments), None)


class Directory(_Model):
    organizations: list[Organization]

    @model_validator(mode="after")
    def _unique(self) -> Directory:
        ids = [o.id for o in self.organizations]
        codes = [o.code for o in self.organizations]
        if len(set(ids)) != len(ids) or len(set(codes)) != len(codes):
            raise ValueError("organisation ids and codes must be unique")
        return self

    def organization(self, org_id: str) -> Organization | None:
        return next((o for o in self.organizations if o.id == org_id), None)

    @property
    def default_organization(self) -> Organization:
        return next((o for o in self.organizations if o.default), self.organizations[0])

    def organization_for_email(self, address: str) -> Organization | None:
        address = address.strip().lower()
        return next(
            (o for o in self.organizations if address in (a.lower() for a in o.email_addresses)), None
        )

    def organization_for_facebook_page(self, page_id: str) -> Organization | None:
        return next((o for o in self.organizations if page_id in o.facebook_pages), None)

    def organization_for_phone_number(self, number: str) -> Organization | None:
        return next((o for o in self.organizations if number in o.phone_numbers), None)


def load_directory(path: Path | str) -> Directory:
    with open(path, encoding="utf-8") as fh:
        return Directory.model_validate(yaml.safe_load(fh))


@lru_cache(maxsize=4)
def _cached(path: str) -> Directory:
    return load_directory(path)


def directory_from(path: Path | None = None) -> Directory:
    """The directory in ``path``, else the shipped demo directory (parsed once per process)."""
    return _cached(str(path or DEMO_FILE))
