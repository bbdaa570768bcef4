"""What Lotsen promises per errand type (docs/cases.md, "Promises per errand type").

Each deadline is a function of the organisation, the errand type and a time, so that whatever sets
a case's category (opening it, a correction) computes it again the same way:

- **first response**: the category's ``sla.first_response_hours`` if it has one, counted as the
  organisation's first-response clock runs (``CASESTORE_FIRST_RESPONSE_MODE``: ``calendar`` counts
  every hour, ``working_days`` only the hours of working days); else the default (48 hours or 2
  working days);
- **callback**: a caller who asked to be called back is called within
  ``CASESTORE_CALLBACK_OPEN_HOURS`` of the answer group's opening time, or sooner if the errand type
  promises a sooner first response;
- **handoff**: the category's ``sla.handoff_due_days`` working days, else
  ``CASESTORE_HANDOFF_WORKING_DAYS``;
- **the answer group's next opening**: when a contact arrives while its answer group is closed, the
  acknowledgement says when it opens again.

Working days are weekdays without Swedish public and de facto holidays (:mod:`lotsen.calendar`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from lotsen.calendar import add_open_hours, add_working_days, add_working_hours, is_open, next_opening
from lotsen.directory import AnswerGroup, Category, Directory, OpeningHours, Organization
from services.casestore.settings import CasestoreSettings

Document = dict[str, Any]


def category_of(org: Organization | None, category_id: str | None) -> Category | None:
    return org.category(category_id) if org is not None and category_id else None


def opening_hours(org: Organization, group_id: str | None) -> OpeningHours:
    """The answer group's hours, else the contact centre's."""
    group: AnswerGroup | None = org.answer_group(group_id) if group_id else None
    return group.opening_hours if group is not None else org.opening_hours


def first_response_due(
    org: Organization | None, category_id: str | None, received: datetime, settings: CasestoreSettings
) -> datetime:
    """When the citizen is promised a first answer for an errand of ``category_id``."""
    category = category_of(org, category_id)
    hours = category.sla.first_response_hours if category and category.sla else None
    tz = _zone(org)
    if settings.first_response_mode == "working_days":
        if hours is not None:
            return add_working_hours(received, hours, tz=tz)
        return add_working_days(received, settings.first_response_working_days, tz=tz)
    return received + timedelta(hours=hours if hours is not None else settings.first_response_hours)


def callback_due(
    org: Organization,
    category_id: str | None,
    group_id: str | None,
    requested: datetime,
    settings: CasestoreSettings,
) -> datetime:
    """When a caller who asked to be called back will be: within the answer group's opening time,
    or by the errand type's own first-response promise if that comes sooner."""
    by_group = add_open_hours(
        opening_hours(org, group_id), requested, settings.callback_open_hours, tz=_zone(org)
    )
    category = category_of(org, category_id)
    if category is not None and category.sla and category.sla.first_response_hours is not None:
        promised = first_response_due(org, category_id, requested, settings)
        return promised if by_group is None else min(promised, by_group)
    return by_group or first_response_due(org, category_id, requested, settings)


def handoff_due(
    org: Organization | None, category_id: str | None, handed_off: datetime, settings: CasestoreSettings
) -> datetime:
    """When the department is due to act on an errand of ``category_id`` handed off at ``handed_off``."""
    category = category_of(org, category_id)
    days = category.sla.handoff_due_days if category and category.sla else None
    return add_working_days(handed_off, days or settings.handoff_working_days, tz=_zone(org))


def group_opens_at(org: Organization, group_id: str | None, at: datetime) -> datetime | None:
    """When the answer group opens again, if it is closed at ``at``; ``None`` while it is open."""
    hours = opening_hours(org, group_id)
    if is_open(hours, at, tz=_zone(org)):
        return None
    return next_opening(hours, at, tz=_zone(org))


def deadlines_of(case: Document, directory: Directory, settings: CasestoreSettings) -> Document:
    """The deadlines the case's clocks have by its current category and answer group: the first
    response while unanswered, the department's while handed off. For a correction of the category."""
    org = directory.organization(case["organization"])
    found: Document = {}
    if case.get("first_response_at") is None and case.get("received_at") is not None:
        if case.get("callback_requested") and org is not None:
            found["first_response_due"] = callback_due(
                org, case.get("category"), case.get("answer_group"), case["received_at"], settings
            )
        else:
            found["first_response_due"] = first_response_due(
                org, case.get("category"), case["received_at"], settings
            )
    if case.get("status") == "handed_off" and case.get("handed_off_at") is not None:
        found["due_at"] = handoff_due(org, case.get("category"), case["handed_off_at"], settings)
    return found


def _zone(org: Organization | None) -> ZoneInfo:
    return ZoneInfo(org.timezone if org is not None else "Europe/Stockholm")
