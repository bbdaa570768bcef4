"""The directory's models: organisations with their departments (*förvaltningar*), answer groups
(*svarsgrupper*), categories (errand types, *ärendetyper*), agreements (*överenskommelser*) and forms.

These are the *resolved* shapes services use and ``GET /v1/directory`` returns: every organisation
carries its full list of categories, each with ``handled_by`` already decided by its department's
agreement. How a directory file is written (a shared catalogue that organisations extend) is
:mod:`lotsen.directory.loading`'s business.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from lotsen.directory.checks import FALLBACK_CATEGORY, reference_problems

HandledBy = Literal["first_line", "department"]
Priority = Literal["low", "normal", "high", "urgent"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Department(_Model):
    """A *förvaltning* (or a housing company's unit) that errands are handed off to."""

    id: str
    name: str
    email: str | None = None
    on_call_phone: str | None = Field(None, description="the on-call number (jour) for urgent errands")
    confidential: bool = Field(False, description="errands of this department are confidential (sekretess)")
    answer_group: str | None = Field(None, description="the answer group that serves it by default")


# A wall-clock time in the organisation's own time zone. JSON Schema's "time" format demands a UTC
# offset (RFC 3339), which opening hours do not have, so the schema says what is really sent.
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$", "description": "local time, HH:MM:SS"}
    ),
]


class OpeningHours(_Model):
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4], description="0 = Monday")
    opens: LocalTime = time(7, 30)
    closes: LocalTime = time(17, 0)

    def is_open(self, weekday: int, at: time) -> bool:
        return weekday in self.weekdays and self.opens <= at < self.closes


class AnswerGroup(_Model):
    """A *svarsgrupp*: the agents a phone menu choice (and routed contacts) reach."""

    id: str
    name: str
    ivr_digit: str | None = None
    departments: list[str] = Field(default_factory=list)
    opening_hours: OpeningHours = Field(default_factory=OpeningHours)


class SlaOverride(_Model):
    """Deadlines that differ from the organisation's defaults for one category."""

    first_response_hours: int | None = Field(None, ge=1)
    handoff_due_days: int | None = Field(None, ge=1)


Open311Datatype = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]


class Open311Value(_Model):
    key: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)


class Open311Attribute(_Model):
    """A question an Open311 client asks with a fault report (GeoReport v2 service definition)."""

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,49}$")
    datatype: Open311Datatype = "string"
    required: bool = False
    description: str = Field(min_length=1, max_length=500, description="the question, as the app shows it")
    datatype_description: str | None = None
    order: int = Field(1, ge=1)
    values: list[Open311Value] = Field(default_factory=list, description="the choices of a *valuelist")

    @model_validator(mode="after")
    def _lists_have_values(self) -> Open311Attribute:
        if self.datatype.endswith("valuelist") != bool(self.values):
            raise ValueError(f"open311 attribute {self.code}: values go with (and only with) a *valuelist")
        return self


class Open311Service(_Model):
    """A category offered to Open311 GeoReport v2 clients as a service (a *felanmälan* type)."""

    group: str = Field(min_length=1, max_length=100)
    description: str | None = Field(None, max_length=1000)
    keywords: list[str] = Field(default_factory=list)
    attributes: list[Open311Attribute] = Field(default_factory=list)


class Category(_Model):
    """An errand type (*ärendetyp*) with its ROSA level and the words citizens use for it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    department: str | None = None
    rosa_level: int = Field(ge=1, le=6)
    handled_by: HandledBy = Field(description="decided by the department's agreement and the ROSA level")
    keywords: list[str] = Field(default_factory=list, description="words and phrases that point here")
    weak_keywords: list[str] = Field(
        default_factory=list, description="common words that hint here but never decide alone"
    )
    answer_group: str | None = Field(None, description="overrides the department's answer group")
    confidential: bool = False
    priority: Priority = "normal"
    sla: SlaOverride | None = None
    description: str | None = None
    open311: Open311Service | None = Field(None, description="offered to Open311 clients as a service")


class Agreement(_Model):
    """The *överenskommelse* between a department and the contact centre: what first line handles."""

    department: str
    reference: str | None = Field(None, description="the agreement document, e.g. its title and date")
    first_line: list[str] = Field(default_factory=list, description="categories first line handles")
    delegated_decisions: list[str] = Field(
        default_factory=list, description="decisions first line may take on the department's behalf"
    )
    reminder_interval_hours: float | None = Field(
        None,
        gt=0,
        le=24 * 30,
        description="how often the department is reminded again of a handed-off errand past its due "
        "time; none: notify's NOTIFY_REMINDER_INTERVAL_HOURS",
    )


class FormField(_Model):
    name: str
    required: bool = False
    options: list[str] | None = Field(None, description="the only values it takes, when it is a choice")
    connector_only: bool = Field(
        False, description="taken only from an e-service platform with a connector key, never from the public"
    )


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
    timezone: str = "Europe/Stockholm"
    opening_hours: OpeningHours = Field(
        default_factory=OpeningHours, description="the contact centre's hours; outside them is out of hours"
    )
    email_addresses: list[str] = Field(default_factory=list)
    facebook_pages: list[str] = Field(default_factory=list)
    phone_numbers: list[str] = Field(default_factory=list)
    departments: list[Department]
    answer_groups: list[AnswerGroup]
    categories: list[Category]
    agreements: list[Agreement] = Field(default_factory=list)
    forms: list[Form] = Field(default_factory=list)
    ivr_connect_digit: str | None = Field(
        None, description="the digit that connects to a named person: no case"
    )

    @model_validator(mode="after")
    def _references_resolve(self) -> Organization:
        problems = reference_problems(self)
        if problems:
            raise ValueError(f"organisation {self.id}: " + "; ".join(problems))
        return self

    def department(self, department_id: str) -> Department | None:
        return next((d for d in self.departments if d.id == department_id), None)

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def form(self, form_id: str) -> Form | None:
        return next((f for f in self.forms if f.id == form_id), None)

    def answer_group(self, group_id: str) -> AnswerGroup | None:
        return next((g for g in self.answer_groups if g.id == group_id), None)

    def agreement(self, department_id: str | None) -> Agreement | None:
        return next((a for a in self.agreements if a.department == department_id), None)

    def answer_group_for_digit(self, digit: str) -> AnswerGroup | None:
        return next((g for g in self.answer_groups if g.ivr_digit == digit), None)

    def answer_group_for_department(self, department_id: str | None) -> AnswerGroup | None:
        if department_id is None:
            return None
        department = self.department(department_id)
        if department is not None and department.answer_group:
            return self.answer_group(department.answer_group)
        return next((g for g in self.answer_groups if department_id in g.departments), None)

    def confidential(self, category: Category, department_id: str | None) -> bool:
        """Confidential by the directory: the category is, or the department the errand goes to."""
        department = self.department(department_id) if department_id else None
        return category.confidential or bool(department and department.confidential)

    def answer_group_for_category(self, category: Category) -> AnswerGroup | None:
        """The category's own group, else its department's, else the group for other errands."""
        if category.answer_group:
            return self.answer_group(category.answer_group)
        return self.answer_group_for_department(category.department) or self.fallback_answer_group

    @property
    def fallback_answer_group(self) -> AnswerGroup | None:
        """The group of *övriga ärenden*: the fallback category's answer group, else the first group."""
        fallback = self.category(FALLBACK_CATEGORY)
        if fallback is not None and fallback.answer_group:
            return self.answer_group(fallback.answer_group)
        return self.answer_groups[0] if self.answer_groups else None


class ClassifierSettings(_Model):
    """How the free-text classifier weighs evidence (tuned per directory file)."""

    threshold: float = Field(1.0, gt=0, description="below this best score: övriga ärenden")
    subject_weight: float = Field(1.5, gt=0, description="a word in the subject counts this much more")
    phrase_weight: float = Field(2.0, gt=0, description="a matched phrase of several words")
    weak_weight: float = Field(0.4, gt=0, description="a weak keyword")
    compound_factor: float = Field(0.7, gt=0, le=1, description="a keyword found inside a compound word")
    fuzzy_factor: float = Field(0.6, gt=0, le=1, description="a keyword matched with one typo")
    ivr_boost: float = Field(1.5, ge=1, description="categories of the answer group a caller chose")


class Directory(_Model):
    organizations: list[Organization]
    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)

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
