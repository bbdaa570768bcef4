"""A synpunkt classified by the first line (``case.feedback_classified``) reaches the department it
concerns: the department credited with it, else the case's own."""

from __future__ import annotations

from tests.notify_events import created, feedback_classified, new_ref
from tests.notify_support import Notify, Receiver, clock, notify, notify_overrides, outbox, receiver

__all__ = ["clock", "notify", "notify_overrides", "outbox", "receiver"]  # fixtures


async def test_the_department_a_synpunkt_concerns_hears_of_it_and_no_other(
    notify: Notify, receiver: Receiver
) -> None:
    about_streets, about_schools = new_ref(), new_ref()
    for department in ("samhallsbyggnad", "skola", "ledningskontoret"):
        await notify.subscribe(
            f"{receiver.url}?for={department}", "case.feedback_classified", department=department
        )
    await notify.publish(
        created(about_streets, category="synpunkt", department="ledningskontoret"),
        created(about_schools, category="synpunkt", department="skola"),
        feedback_classified(about_streets, kind="complaint", department="samhallsbyggnad"),
        feedback_classified(about_schools, kind="praise", department=None),
    )
    await notify.dispatch()

    heard = sorted(
        (r.path.rsplit("for=", 1)[-1], r.json()["data"]["case_ref"], r.json()["data"]["kind"])
        for r in receiver.requests
    )
    assert heard == sorted(
        [("samhallsbyggnad", about_streets, "complaint"), ("skola", about_schools, "praise")]
    )
