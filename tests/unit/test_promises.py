"""Promises per errand type, by hand-checkable dates (docs/cases.md, "Promises per errand type").

2026: midsommarafton is Friday 19 June; Sweden is on UTC+1 until 29 March and UTC+2 after.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import pytest

from lotsen.calendar import STOCKHOLM, add_open_hours, add_working_hours, next_opening
from lotsen.contracts.contacts import ContactReceivedData, RoutingDecision
from lotsen.directory import OpeningHours, Organization, directory_from
from services.casestore import promises
from services.casestore.settings import CasestoreSettings
from services.routing.decide import Router
from services.routing.rules import Ruleset
from services.routing.rulesets import default_ruleset


def organization(org_id: str) -> Organization:
    found = directory_from().organization(org_id)
    assert found is not None
    return found


KARLSKOGA, KARLSKOGAHEM = organization("karlskoga"), organization("karlskogahem")


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def settings(mode: Literal["calendar", "working_days"] = "calendar") -> CasestoreSettings:
    return CasestoreSettings(env="dev", first_response_mode=mode)


def test_bygglov_handed_off_the_friday_before_midsommar_is_due_five_working_days_later() -> None:
    # Mon 15, Tue 16, Wed 17, Thu 18; Friday 19 June is midsommarafton; Monday 22 is the fifth.
    due = promises.handoff_due(KARLSKOGA, "bygglov", local(2026, 6, 12, 10, 0), settings())
    assert due == local(2026, 6, 22, 10, 0)


def test_an_errand_type_without_its_own_deadline_keeps_the_default_over_midsommar() -> None:
    due = promises.handoff_due(KARLSKOGA, "ritningsarkiv", local(2026, 6, 18, 10, 0), settings())
    assert due == local(2026, 6, 23, 10, 0)  # Friday 19 is no working day: Monday 22, Tuesday 23


def test_a_24_hour_promise_made_on_friday_afternoon() -> None:
    friday = local(2026, 3, 6, 15, 0)
    felanmalan, other = "felanmalan-lagenhet", "hyra"
    assert promises.first_response_due(KARLSKOGAHEM, felanmalan, friday, settings()) == local(
        2026, 3, 7, 15, 0
    )
    # On the working-day clock the weekend's hours do not count: Monday at the same time.
    assert promises.first_response_due(KARLSKOGAHEM, felanmalan, friday, settings("working_days")) == local(
        2026, 3, 9, 15, 0
    )
    assert promises.first_response_due(KARLSKOGAHEM, other, friday, settings()) == local(2026, 3, 8, 15, 0)
    assert promises.first_response_due(KARLSKOGAHEM, other, friday, settings("working_days")) == local(
        2026, 3, 10, 15, 0
    )


def test_a_web_form_at_22_on_a_sunday_is_told_when_the_group_opens() -> None:
    sunday_night = local(2026, 3, 8, 22, 0)
    # Karlskogahem's kundservice opens at 08:00; the contact centre's other groups at 07:30 or 08:00.
    assert promises.group_opens_at(KARLSKOGAHEM, "hyresgastservice", sunday_night) == local(2026, 3, 9, 8, 0)
    assert promises.group_opens_at(KARLSKOGA, "ovrigt", sunday_night) == local(2026, 3, 9, 7, 30)
    assert (
        promises.group_opens_at(KARLSKOGA, "ovrigt", local(2026, 3, 9, 9, 0)) is None
    )  # open: nothing to say
    due = promises.first_response_due(KARLSKOGAHEM, "felanmalan-lagenhet", sunday_night, settings())
    assert due == local(2026, 3, 9, 22, 0)
    working = promises.first_response_due(
        KARLSKOGAHEM, "felanmalan-lagenhet", sunday_night, settings("working_days")
    )
    assert working == local(2026, 3, 10, 0, 0)  # Monday's 24 hours, from its start


def test_a_callback_is_promised_within_the_groups_opening_hours() -> None:
    # bygg-miljo is open 07:30-16:30: half an hour on Monday, three and a half on Tuesday.
    monday = local(2026, 3, 9, 16, 0)
    assert promises.callback_due(KARLSKOGA, None, "bygg-miljo", monday, settings()) == local(
        2026, 3, 10, 11, 0
    )
    # socialtjanst opens at 08:00 on Monday: four hours later.
    sunday = local(2026, 3, 8, 22, 0)
    assert promises.callback_due(KARLSKOGA, None, "socialtjanst", sunday, settings()) == local(
        2026, 3, 9, 12, 0
    )
    # An errand type that promises sooner keeps its promise.
    early = local(2026, 3, 9, 14, 0)
    assert promises.callback_due(KARLSKOGA, "orosanmalan", "ovrigt", early, settings()) == local(
        2026, 3, 9, 18, 0
    )
    assert promises.callback_due(KARLSKOGA, "orosanmalan", "socialtjanst", early, settings()) == local(
        2026, 3, 9, 18, 0
    )


def test_a_group_is_closed_on_midsommarafton() -> None:
    hours = OpeningHours()
    assert next_opening(hours, local(2026, 6, 19, 10, 0)) == local(2026, 6, 22, 7, 30)
    assert add_open_hours(hours, local(2026, 6, 18, 16, 0), 2) == local(2026, 6, 22, 8, 30)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (local(2026, 3, 9, 10, 0), 4, local(2026, 3, 9, 14, 0)),
        (local(2026, 3, 7, 12, 0), 24, local(2026, 3, 10, 0, 0)),  # Saturday: counts from Monday 00:00
        (local(2026, 3, 27, 12, 0), 24, local(2026, 3, 30, 12, 0)),  # summer time began on the Sunday
    ],
)
def test_working_hours_stand_still_over_weekends(start: datetime, hours: int, due: datetime) -> None:
    assert add_working_hours(start, hours) == due


def test_hours_that_never_open_have_no_next_opening() -> None:
    never = OpeningHours(weekdays=[])
    assert next_opening(never, local(2026, 3, 9, 10, 0)) is None
    assert add_open_hours(never, local(2026, 3, 9, 10, 0), 4) is None


def test_routing_asks_whether_the_callers_group_is_open_not_the_contact_centre() -> None:
    directory = directory_from()
    router, ruleset = Router(directory), Ruleset(default_ruleset(directory))

    def call(digit: str, at: datetime) -> RoutingDecision:
        contact = ContactReceivedData.model_validate(
            {
                "contact_id": "c",
                "channel": "phone",
                "received_at": at,
                "text": "Ring mig",
                "ivr_choice": digit,
            }
        )
        return router.decide(contact, KARLSKOGA, ruleset)

    # Tuesday 16:15: the contact centre is open until 17:00, socialtjanst (3) closed at 16:00.
    late = local(2026, 3, 10, 16, 15)
    social, other = call("3", late), call("5", late)
    assert social.out_of_hours is True and social.matched_rules == ["aterringning-utanfor-oppettid"]
    assert social.priority == "high"
    assert other.out_of_hours is False and other.priority == "normal"
