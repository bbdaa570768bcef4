"""The acknowledgement promises what casestore computed for the errand type, and says when a closed
answer group opens again (docs/notify.md, "The promise in the acknowledgement")."""

from __future__ import annotations

from tests.notify_events import new_ref, outbound
from tests.notify_support import Notify, Outbox, clock, notify, notify_overrides, outbox

__all__ = ["clock", "notify", "notify_overrides", "outbox"]  # fixtures

# A fault report at Karlskogahem on Sunday 8 March 2026 at 22:00: 24 hours, the group opens at 08:00.
PROMISED = "2026-03-09T21:00:00+00:00"
OPENS = "2026-03-09T07:00:00+00:00"


async def test_a_closed_group_says_when_it_opens_and_the_promise_is_casestores(
    notify: Notify, outbox: Outbox
) -> None:
    swedish, english = new_ref(), new_ref()
    for ref, language in ((swedish, "sv"), (english, "en")):
        event = outbound(
            ref, kind="acknowledgement", first_response_due=PROMISED, group_opens_at=OPENS, language=language
        )
        await notify.publish(event)
    await notify.dispatch()

    [mail] = outbox.messages(swedish)
    body = mail.get_content()
    assert "Vi har stängt just nu och öppnar igen måndag 9 mars 2026 kl. 08:00." in body
    assert "Du får svar senast måndag 9 mars 2026 kl. 22:00." in body
    assert body.index("öppnar igen") < body.index("Du får svar")
    [mail] = outbox.messages(english)
    body = mail.get_content()
    assert "We are closed right now and open again on Monday 9 March 2026 at 08:00 (Swedish time)." in body
    assert "by Monday 9 March 2026 at 22:00 (Swedish time) at the latest" in body


async def test_within_opening_hours_there_is_no_closed_notice(notify: Notify, outbox: Outbox) -> None:
    ref = new_ref()
    await notify.publish(outbound(ref, kind="acknowledgement", group_opens_at=None))
    await notify.dispatch()
    [mail] = outbox.messages(ref)
    body = mail.get_content()
    assert "stängt" not in body
    assert "Du får svar senast onsdag 4 mars 2026 kl. 09:00." in body
