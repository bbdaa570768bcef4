"""What notify's consumers and jobs share: the directory, the repositories, the clock, the policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lotsen.contracts.envelope import utc_now
from lotsen.directory import Directory, Organization
from services.notify.deliveries import Document, RetryPolicy
from services.notify.repository import (
    CaseFactRepository,
    DeliveryRepository,
    ReminderRepository,
    SubscriptionRepository,
)
from services.notify.settings import NotifySettings

Clock = Callable[[], datetime]


def retry_policy(settings: NotifySettings) -> RetryPolicy:
    return RetryPolicy(
        base_seconds=settings.retry_base_seconds,
        max_seconds=settings.retry_max_seconds,
        give_up=timedelta(hours=settings.give_up_hours),
    )


@dataclass
class Notifier:
    settings: NotifySettings
    directory: Directory
    subscriptions: SubscriptionRepository
    deliveries: DeliveryRepository
    reminders: ReminderRepository
    facts: CaseFactRepository
    clock: Clock = utc_now
    wake: Callable[[], None] = field(default=lambda: None)

    @property
    def policy(self) -> RetryPolicy:
        return retry_policy(self.settings)

    def reminder_interval(self, organization: str, department: str | None) -> timedelta:
        """How often ``department`` is reminded: its agreement's interval, else the setting's."""
        org = self.directory.organization(organization)
        agreement = org.agreement(department) if org is not None and department else None
        hours = agreement.reminder_interval_hours if agreement is not None else None
        return timedelta(hours=hours or self.settings.reminder_interval_hours)

    def organization(self, org_id: str) -> Organization | None:
        return self.directory.organization(org_id)

    async def confidential(self, case_ref: str) -> bool:
        """Whether the case is confidential (*sekretess*), as its events told notify so far."""
        facts = await self.facts.get(case_ref) or {}
        return bool(facts.get("confidential"))

    async def record(self, delivery: Document) -> bool:
        """Record one delivery (idempotent on its id) and wake the dispatcher if it is new."""
        new = await self.deliveries.record(delivery)
        if new:
            self.wake()
        return new


def sender_address(org: Organization | None) -> str | None:
    """``NOTIFY_FROM_ADDRESS`` of an organisation: the first of its e-mail addresses in the directory."""
    return org.email_addresses[0] if org is not None and org.email_addresses else None


def mail_domain(org: Organization | None, fallback: str) -> str:
    address = sender_address(org)
    return address.rsplit("@", 1)[-1] if address else f"{fallback}.invalid"
