"""Replies on Messenger through the Graph API Send API (httpx).

Meta's rules decide how a page may write to a person: a standard ``RESPONSE`` within 24 hours of
the person's last message, the ``HUMAN_AGENT`` tag (a person answering) up to 7 days after it,
and nothing later. Outside the window the delivery fails at once with that reason, so the agent
knows to reach the citizen another way.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx

from services.notify.deliveries import Outcome

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
OUTSIDE_WINDOW = "outside Messenger's 7-day human agent window"
OUTSIDE_STANDARD_WINDOW = "outside Messenger's 24-hour window (a survey may not use the human agent tag)"
NO_TOKEN = "no page access token for this organisation (NOTIFY_FACEBOOK_PAGE_TOKENS)"
MAX_TEXT = 2000  # characters per Messenger text message
RETRYABLE_GRAPH_CODES = {1, 2, 4, 17, 32, 613}  # temporary errors and rate limits


def messaging_type(
    last_inbound_at: datetime | None, now: datetime, *, human_agent: bool = True
) -> dict[str, str] | None:
    """The Send API's ``messaging_type`` (and ``tag``) allowed now, or None outside every window.
    ``human_agent``: whether the message is a person's answer, which the tag allows for 7 days."""
    if last_inbound_at is None:
        return None
    age = now - last_inbound_at
    if age <= STANDARD_WINDOW:
        return {"messaging_type": "RESPONSE"}
    if human_agent and age <= HUMAN_AGENT_WINDOW:
        return {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
    return None


def pieces(text: str) -> list[str]:
    """The text in Messenger-sized parts, split at line breaks where possible."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > MAX_TEXT:
        cut = rest.rfind("\n", 0, MAX_TEXT)
        cut = cut if cut > MAX_TEXT // 2 else MAX_TEXT
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*parts, rest] if rest else parts


async def send(
    client: httpx.AsyncClient,
    *,
    base_url: str,
    version: str,
    token: str | None,
    psid: str,
    text: str,
    last_inbound_at: datetime | None,
    now: datetime,
    timeout: float,
    human_agent: bool = True,
) -> Outcome:
    kind = messaging_type(last_inbound_at, now, human_agent=human_agent)
    if kind is None:
        return Outcome.failed(OUTSIDE_WINDOW if human_agent else OUTSIDE_STANDARD_WINDOW, permanent=True)
    if not token:
        return Outcome.failed(NO_TOKEN, permanent=True)
    url = f"{base_url.rstrip('/')}/{version}/me/messages"
    sent: list[str] = []
    for text_part in pieces(text):
        body = {"recipient": {"id": psid}, **kind, "message": {"text": text_part}}
        try:
            async with asyncio.timeout(timeout):
                response = await client.post(url, params={"access_token": token}, json=body)
        except TimeoutError:
            return Outcome.failed(f"the Send API did not answer within {timeout:g} s")
        except httpx.HTTPError as exc:
            return Outcome.failed(f"the Send API could not be reached: {type(exc).__name__}")
        if not response.is_success:
            return _refused(response)
        sent.append(str(_json(response).get("message_id", "?")))
    return Outcome.ok(f"sent as {kind['messaging_type']}: {', '.join(sent)}", status_code=200)


def _refused(response: httpx.Response) -> Outcome:
    error = _json(response).get("error") or {}
    code = error.get("code") if isinstance(error, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    detail = f"the Send API answered {response.status_code}: {message or response.text[:200]}"
    temporary = response.status_code >= 500 or response.status_code == 429 or code in RETRYABLE_GRAPH_CODES
    return Outcome.failed(detail, permanent=not temporary, status_code=response.status_code)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
