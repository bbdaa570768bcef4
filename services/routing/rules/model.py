"""The ruleset as administrators write it: an ordered list of rules, each conditions → actions.

Conditions (all given must hold; a list matches when any of its values does): ``channel``,
``organization``, ``ivr_choice``, ``form_id``, ``sender`` (an address, ``@domain`` or a domain, or a
phone number), ``keywords`` (words or phrases in the subject or text, compared as stems),
``category_hint``, ``out_of_hours``, ``callback`` and ``language`` (``sv``, ``en``, ``ar`` or
``other``: the language the citizen chose, else the one the contact is written in). Actions set
``category``, ``answer_group``, ``department``, ``priority``, ``confidential`` and ``handled_by``
(the decision: ``first_line`` or ``department``; ``decision`` is accepted as its other name). How
rules combine is in :mod:`services.routing.rules.evaluation`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from lotsen.contracts.contacts import Channel
from lotsen.contracts.envelope import UtcDatetime
from lotsen.directory import HandledBy, Priority

RULE_ID = r"^[a-z0-9][a-z0-9-]{0,62}$"
ContactLanguage = Literal["sv", "en", "ar", "other"]
ACTION_FIELDS = ("category", "answer_group", "department", "priority", "confidential", "handled_by")


def _as_list(value: Any) -> Any:
    """A single value is a list of one, so ``channel: phone`` reads as ``channel: [phone]``."""
    if isinstance(value, str | int):
        return [str(value)]
    if isinstance(value, list):
        return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
    return value


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Values = Annotated[list[str], BeforeValidator(_as_list)]


class Conditions(_Model):
    channel: Annotated[list[Channel], BeforeValidator(_as_list)] | None = None
    organization: Values | None = None
    ivr_choice: Values | None = None
    form_id: Values | None = None
    sender: Values | None = Field(None, description="address, @domain, domain or phone number")
    keywords: Values | None = Field(None, description="words or phrases; any one matches")
    category_hint: Values | None = None
    out_of_hours: bool | None = Field(
        None,
        description="outside the opening hours of the contact's answer group, else the organisation's",
    )
    callback: bool | None = Field(None, description="a callback: the contact already has an answer group")
    language: Annotated[list[ContactLanguage], BeforeValidator(_as_list)] | None = Field(
        None, description="the language the citizen chose or wrote in: sv, en, ar or other"
    )

    @field_validator("*", mode="after")
    @classmethod
    def _no_empty_lists(cls, value: Any) -> Any:
        if isinstance(value, list):
            if not value:
                raise ValueError("an empty list matches nothing; leave the condition out instead")
            if any(isinstance(v, str) and not v.strip() for v in value):
                raise ValueError("values must not be empty")
        return value

    def given(self) -> list[str]:
        return [name for name in type(self).model_fields if getattr(self, name) is not None]


class Actions(_Model):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    category: str | None = None
    answer_group: str | None = None
    department: str | None = None
    priority: Priority | None = None
    confidential: bool | None = None
    handled_by: HandledBy | None = Field(
        None, validation_alias=AliasChoices("handled_by", "decision"), description="the decision"
    )

    def given(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ACTION_FIELDS if getattr(self, name) is not None}


class Rule(_Model):
    id: str = Field(pattern=RULE_ID, description="lower-case letters, digits and hyphens")
    description: str = ""
    enabled: bool = True
    conditions: Conditions = Field(default_factory=Conditions)
    actions: Actions
    stop: bool = Field(False, description="no later rule is evaluated when this one matches")

    @field_validator("actions", mode="after")
    @classmethod
    def _sets_something(cls, actions: Actions) -> Actions:
        if not actions.given():
            raise ValueError(f"a rule must set at least one of {', '.join(ACTION_FIELDS)}")
        return actions


class RulesetVersion(_Model):
    """One stored version: every PUT makes a new one; the highest is active; none is ever deleted."""

    version: int = Field(ge=1)
    rules: list[Rule]
    author: str
    activated_at: UtcDatetime
    comment: str = ""


class RulesetSummary(_Model):
    version: int
    author: str
    activated_at: UtcDatetime
    comment: str
    rule_count: int
    active: bool
