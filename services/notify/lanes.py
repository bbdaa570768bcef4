"""Which deliveries the dispatcher may start: the due head of each lane that nobody holds.

A lane (one case to one target, :func:`deliveries.lane`) sends its deliveries one at a time in
``seq`` order: a delivery is its lane's *head* when no pending delivery of the lane has a smaller
``seq``. Finding the heads reads a bounded *window* instead of every pending delivery:

1. the oldest ``HEAD_WINDOW`` pending deliveries that are due, in ``seq`` order (the ``(status,
   seq)`` index). Every due pending delivery older than one in the window is in it too, so a due
   delivery is not its lane's head exactly when an older one of its lane is in the window, or is
   pending but not due yet;
2. those not yet due, of the window's lanes only (the ``(lane, seq)`` index): heads waiting out a
   backoff. A window member behind one is *deferred* to that head's next attempt, so it leaves the
   window instead of filling it for as long as the backoff lasts.

Lanes whose due head lies beyond the window wait for a later pass, and still go in order: the
window is the oldest due work, and each of its members is started now, already being sent (its
lease ends with the send), or waits behind one of those in its lane. So the window moves on pass
after pass, older deliveries first. What could hold it still is one lane with more than
``HEAD_WINDOW`` due deliveries behind a head in flight; a lane is one case to one target, and no
case has that many events.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from services.notify.deliveries import Document
from services.notify.repository import DeliveryRepository

HEAD_WINDOW = 256


async def due_heads(deliveries: DeliveryRepository, now: datetime, *, limit: int) -> list[Document]:
    """Up to ``limit`` due lane heads that nobody holds the lease of, oldest first (``HEAD_FIELDS``
    only: the dispatcher claims each and reads it whole then)."""
    window = await deliveries.due_window(now, size=HEAD_WINDOW)
    candidates = first_of_each_lane(window)
    lanes = [doc["lane"] for doc in candidates if not leased(doc, now)]
    if not lanes:
        return []
    waiting = await deliveries.waiting_in(lanes, now)
    heads, deferrals = pick(window, waiting, now)
    for until, delivery_ids in deferrals.items():
        await deliveries.defer(delivery_ids, until=until)
    return heads[:limit]


def first_of_each_lane(window: list[Document]) -> list[Document]:
    seen: set[str] = set()
    first = []
    for doc in window:
        if doc["lane"] not in seen:
            seen.add(doc["lane"])
            first.append(doc)
    return first


def pick(
    window: list[Document], waiting: list[Document], now: datetime
) -> tuple[list[Document], dict[datetime, list[str]]]:
    """The startable heads among ``window`` (in ``seq`` order), and the window members to defer,
    by the time the head they wait behind is next tried."""
    oldest_waiting: dict[str, Document] = {}
    for doc in waiting:
        known = oldest_waiting.get(doc["lane"])
        if known is None or doc["seq"] < known["seq"]:
            oldest_waiting[doc["lane"]] = doc
    heads: list[Document] = []
    deferrals: dict[datetime, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for doc in window:
        lane = doc["lane"]
        first = lane not in seen
        seen.add(lane)
        blocker = oldest_waiting.get(lane)
        if blocker is not None and blocker["seq"] < doc["seq"]:
            deferrals[blocker["next_attempt_at"]].append(doc["_id"])
        elif first and not leased(doc, now):
            heads.append(doc)
    return heads, dict(deferrals)


def leased(doc: Document, now: datetime) -> bool:
    """Being sent by some dispatcher: its lease has not run out."""
    until = doc.get("lease_until")
    return until is not None and until > now
