"""Subscriptions stored before every subscription named its organisation, settled at start-up.

Such a subscription once matched its department id in every organisation, so a subscription to
``social`` heard of confidential handoffs of every organisation that has a ``social``. Now it
matches nothing until it has an organisation. At start-up, one whose department exists in exactly
one organisation of the directory gets that organisation (it could only ever have matched that
one's errands); any other is left without and logged as a warning, until an administrator sets its
organisation (``PATCH /v1/subscriptions/{id}``) or deletes it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from lotsen.directory import Directory
from services.notify.repository import SubscriptionRepository

log = logging.getLogger(__name__)


async def settle(subscriptions: SubscriptionRepository, directory: Directory) -> list[str]:
    """Give each unassigned subscription its organisation where the directory leaves no doubt;
    returns the ids of those still without one."""
    unsettled = []
    for doc in await subscriptions.without_organization():
        owners = [o.id for o in directory.organizations if o.department(doc["department"]) is not None]
        if len(owners) == 1:
            await subscriptions.update(
                doc["_id"],
                {"organization": owners[0], "changed_at": datetime.now(UTC), "changed_by": "notify start-up"},
            )
            log.info(
                "subscription %s to %s now names its organisation %s, the only one with that department",
                doc["_id"],
                doc["department"],
                owners[0],
            )
            continue
        unsettled.append(doc["_id"])
        log.warning(
            "subscription %s to department %s (%s) names no organisation and receives nothing: "
            "that department is in %s; set its organisation with PATCH /v1/subscriptions/%s",
            doc["_id"],
            doc["department"],
            doc.get("url"),
            ", ".join(owners) or "no organisation of the directory",
            doc["_id"],
        )
    return unsettled
