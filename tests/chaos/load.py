"""Contacts on every channel, posted the way each connector would, retried as each connector would.

Every contact is a new errand (its own sender, subject and message id), so each one that intake
acknowledged (HTTP 2xx, SMTP 250) must end as exactly one case. A connector retries with the same
idempotency key (web form, manual registration), the same ``Message-ID`` (e-mail), the same
``mid`` (Messenger) or the same call id (phone) until intake answers, as real ones do while a
service is being restarted; what never got an acknowledgement is not counted.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import itertools
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib
import httpx

from lotsen.auth import issue_token
from lotsen.settings import ServiceSettings

CONNECTOR = {"X-Connector-Key": "dev-connector-key"}
APP_SECRET = "dev-app-secret"  # INTAKE_FACEBOOK_APP_SECRET in the dev environment
PAGE_ID = "104857600000001"  # the demo directory's Messenger page → karlskoga
CHANNELS = ("webform", "email_smtp", "email_http", "messenger", "phone", "manual")
TOPICS = [
    ("Soptunnan har inte tömts", "Soptunnan på min gata har inte tömts på två veckor."),
    ("Bygglov för altan", "Behöver jag bygglov för en altan på 25 kvm?"),
    ("Gatlykta trasig", "Gatlyktan utanför min port är trasig sedan i måndags."),
    ("Plats i förskola", "Hur ansöker jag om plats i förskola för mitt barn?"),
    ("Hemtjänst", "Min mamma behöver hjälp i hemmet, vem kontaktar jag?"),
    ("Faktura för vatten", "Jag har fått en faktura för vatten som verkar för hög."),
]


@dataclass
class Submission:
    """One contact as the connector saw it: the key it retried with and intake's answers."""

    number: int
    channel: str
    key: str
    email: str | None = None
    accepted: bool = False
    contact_ids: list[str] = field(default_factory=list)
    attempts: int = 0
    answers: list[str] = field(default_factory=list)
    raw: bytes | None = field(default=None, repr=False)  # an e-mail as first sent
    first_sent: datetime = field(default_factory=lambda: datetime.now(UTC))  # retries carry the same


Sender = Callable[[Submission, httpx.AsyncClient], Awaitable[list[str]]]


class Refused(Exception):
    """intake answered, and the answer was not a retryable one: the connector gives up."""


@dataclass
class Load:
    intake_url: str
    smtp_port: int
    run: str
    give_up_after: float = 120.0
    submissions: list[Submission] = field(default_factory=list)
    _numbers: itertools.count[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        token = issue_token(ServiceSettings(env="dev"), subject="agent", role="agent")
        self.agent = {"Authorization": f"Bearer {token}"}

    async def post(self, count: int, *, concurrency: int, also_until: asyncio.Event | None = None) -> None:
        """At least ``count`` contacts, the channels in turn, ``concurrency`` connectors at once; on
        until ``also_until`` is set too (the faults are over), so every kill happens under load."""

        def more() -> bool:
            return len(self.submissions) < count or (also_until is not None and not also_until.is_set())

        async with httpx.AsyncClient(timeout=30) as client:
            await asyncio.gather(*(self._worker(more, client) for _ in range(concurrency)))

    async def _worker(self, more: Callable[[], bool], client: httpx.AsyncClient) -> None:
        while more():
            n = next(self._numbers)
            channel = CHANNELS[n % len(CHANNELS)]
            submission = Submission(n, channel, f"{self.run}-{n}")
            self.submissions.append(submission)
            send: Sender = getattr(self, f"_{channel}")
            await self._until_answered(submission, functools.partial(send, submission, client))

    async def _until_answered(self, submission: Submission, send: Callable[[], Awaitable[list[str]]]) -> None:
        deadline = time.monotonic() + self.give_up_after
        pause = 0.2
        while time.monotonic() < deadline:
            submission.attempts += 1
            try:
                submission.contact_ids = await send()
                submission.accepted = True
                return
            except Refused as refused:
                submission.answers.append(str(refused))
                return
            except (httpx.HTTPError, aiosmtplib.SMTPException, OSError, RetryLater) as exc:
                submission.answers.append(f"{type(exc).__name__}: {exc}"[:200])
            await asyncio.sleep(pause + random.random() * pause)
            pause = min(pause * 2, 3.0)

    def _text(self, s: Submission) -> tuple[str, str]:
        subject, text = TOPICS[s.number % len(TOPICS)]
        return f"{subject} ({s.key})", f"{text} Ärende {s.key}."

    async def _http(self, client: httpx.AsyncClient, path: str, **kwargs: object) -> dict[str, object]:
        response = await client.post(f"{self.intake_url}{path}", **kwargs)  # type: ignore[arg-type]
        if response.status_code in (429, 502, 503, 504) or response.status_code >= 500:
            raise RetryLater(f"{response.status_code} {response.text[:120]}")
        if response.status_code >= 300:
            raise Refused(f"{response.status_code} {response.text[:200]}")
        body: dict[str, object] = response.json()
        return body

    async def _webform(self, s: Submission, client: httpx.AsyncClient) -> list[str]:
        subject, text = self._text(s)
        s.email = f"medborgare-{s.key}@example.se"
        form = {
            "form_id": "kontakta-oss",
            "organization": "karlskoga",
            "name": "Sara Öberg",
            "email": s.email,
            "subject": subject,
            "message": text,
        }
        body = await self._http(
            client, "/v1/contacts/webform", json=form, headers={**CONNECTOR, "Idempotency-Key": s.key}
        )
        return [str(body["contact_id"])]

    def _mail(self, s: Submission) -> bytes:
        """The message, the same bytes on every retry (an MTA resends what it queued)."""
        if s.raw is None:
            s.raw = self._compose(s)
        return s.raw

    def _compose(self, s: Submission) -> bytes:
        subject, text = self._text(s)
        s.email = f"medborgare-{s.key}@example.se"
        message = EmailMessage()
        message["From"] = f"Olle Ek <{s.email}>"
        message["To"] = "kommun@karlskoga.example"
        message["Subject"] = subject
        message["Date"] = format_datetime(s.first_sent)
        message["Message-ID"] = f"<{s.key}@example.se>"
        message.set_content(text)
        return message.as_bytes()

    async def _email_smtp(self, s: Submission, client: httpx.AsyncClient) -> list[str]:
        raw = self._mail(s)
        try:
            async with aiosmtplib.SMTP(hostname="127.0.0.1", port=self.smtp_port, timeout=30) as smtp:
                _, reply = await smtp.sendmail("mta@karlskoga.example", ["kommun@karlskoga.example"], raw)
        except aiosmtplib.SMTPResponseException as refused:
            if refused.code >= 500:
                raise Refused(f"{refused.code} {refused.message}") from refused
            raise RetryLater(f"{refused.code} {refused.message}") from refused
        except aiosmtplib.SMTPRecipientsRefused as refused:
            raise Refused(str(refused)) from refused
        return [reply.rsplit(" ", 1)[-1]]

    async def _email_http(self, s: Submission, client: httpx.AsyncClient) -> list[str]:
        body = await self._http(
            client,
            "/v1/contacts/email",
            content=self._mail(s),
            headers={**CONNECTOR, "Content-Type": "message/rfc822"},
        )
        return [str(i) for i in body["contact_ids"]]  # type: ignore[attr-defined]

    async def _messenger(self, s: Submission, client: httpx.AsyncClient) -> list[str]:
        _, text = self._text(s)
        psid = str(int(hashlib.sha256(s.key.encode()).hexdigest()[:15], 16))
        sent = int(s.first_sent.timestamp() * 1000)
        payload = {
            "object": "page",
            "entry": [
                {
                    "id": PAGE_ID,
                    "time": sent,
                    "messaging": [
                        {
                            "sender": {"id": psid},
                            "recipient": {"id": PAGE_ID},
                            "timestamp": sent,
                            "message": {"mid": f"m_{s.key}", "text": text},
                        }
                    ],
                }
            ],
        }
        raw = json.dumps(payload).encode()
        signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        body = await self._http(
            client,
            "/v1/channels/facebook/webhook",
            content=raw,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
        )
        return [str(i) for i in body["contact_ids"]]  # type: ignore[attr-defined]

    async def _phone(self, s: Submission, client: httpx.AsyncClient) -> list[str]:
        """A call that nobody answered in time, and the citizen's request to be called back."""
        at = s.first_sent.isoformat()
        call = {
            "call_id": f"call-{s.key}",
            "at": at,
            "answer_group": "bygg-miljo",
            "from": "+46701234567",
            "to": "+4658681000",
        }
        events = [
            {**call, "event": "call.offered", "ivr_choice": "4"},
            {**call, "event": "call.callback_requested"},
        ]
        body = await self._http(client, "/v1/channels/phone/events", json=events, headers=CONNECTOR)
        return [str(i) for i in body["contact_ids"]]  # type: ignore[attr-defined]

    async def _manual(self, s: Submission, client: httpx.AsyncClient) -> list[str]:
        subject, text = self._text(s)
        registration = {
            "channel": "visit",
            "organization": "karlskoga",
            "name": "Britt Lund",
            "subject": subject,
            "message": text,
        }
        body = await self._http(
            client, "/v1/contacts/manual", json=registration, headers={**self.agent, "Idempotency-Key": s.key}
        )
        return [str(body["contact_id"])]


class RetryLater(Exception):
    """intake is restarting or the broker is away: the connector tries again with the same key."""
