"""notify's settings (env prefix ``NOTIFY_``): delivery policy, the SMTP relay, Messenger and links."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from lotsen.addresses import NetworkList
from lotsen.settings import ServiceSettings

DEMO_FACEBOOK_PAGE_TOKEN = "dev-page-token"


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore")

    service_name: str = "notify"
    port: int = 8004
    consumer_group: str = Field(
        "notify", description="Kafka consumer group prefix (lotsen-<group>); one per notify deployment"
    )

    # Delivery policy: exponential backoff with full jitter, then failed (redeliverable by hand).
    retry_base_seconds: float = Field(30.0, gt=0, description="first retry after up to this many seconds")
    retry_max_seconds: float = Field(3600.0, gt=0, description="the longest wait between two attempts")
    give_up_hours: float = Field(24.0, gt=0, description="a delivery still failing after this is failed")
    webhook_timeout_seconds: float = Field(10.0, gt=0, description="one webhook or Send API call, in all")
    webhook_allowed_networks: NetworkList = Field(
        default_factory=list,
        description="networks (IP or CIDR) webhooks may go to although not public; empty: public only",
    )
    dispatch_interval_seconds: float = Field(1.0, gt=0, description="how often due deliveries are looked for")
    dispatch_concurrency: int = Field(16, ge=1, description="deliveries sent at the same time")
    reminder_interval_hours: float = Field(
        24.0, gt=0, description="a department is reminded again this often until it returns or resolves"
    )

    # E-mail through an SMTP relay (the mail catcher of `make run` by default).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(30.0, gt=0, description="one SMTP transaction, in all")

    # Messenger: the Graph API Send API, one page access token per organisation.
    graph_api_url: str = "https://graph.facebook.com"
    graph_api_version: str = "v19.0"
    facebook_page_tokens: Annotated[dict[str, SecretStr], NoDecode] = Field(
        default_factory=dict, description="JSON object: organisation id → page access token; empty: none"
    )

    # SMS through a provider's HTTP API (:mod:`services.notify.sms`); empty URL: no SMS.
    sms_url: str = Field("", description="the provider's send URL, e.g. https://api.46elks.com/a1/sms")
    sms_username: str | None = Field(None, description="HTTP basic auth user (46elks: the API username)")
    sms_password: SecretStr | None = None
    sms_senders: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict,
        description="JSON object: organisation id → sender name (≤ 11 letters) or number; "
        "else the organisation's name",
    )
    sms_fields: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict,
        description='JSON object renaming the form fields "from", "to", "message" for another provider',
    )
    sms_max_segments: int = Field(3, ge=1, le=10, description="the longest SMS, in parts of 153/67 chars")

    # Links in the messages.
    status_page_url: str = "http://127.0.0.1:8080/folj-arende"
    workspace_url: str = Field(
        "http://127.0.0.1:8080/arenden/{ref}",
        description="the case in the agents' workspace; {ref} is replaced",
    )

    @field_validator("facebook_page_tokens", mode="before")
    @classmethod
    def _tokens_from_json(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else {}
            except json.JSONDecodeError as exc:
                raise ValueError(
                    f'NOTIFY_FACEBOOK_PAGE_TOKENS must be a JSON object like {{"karlskoga": "EAAB…"}}: {exc}'
                ) from exc
        return value

    @field_validator("sms_senders", "sms_fields", mode="before")
    @classmethod
    def _sms_maps_from_json(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else {}
            except json.JSONDecodeError as exc:
                raise ValueError(f"NOTIFY_SMS_SENDERS and NOTIFY_SMS_FIELDS are JSON objects: {exc}") from exc
        return value

    def sms_sender(self, organization: str, name: str) -> str:
        """Who an SMS is from: the configured sender, else the first word of the organisation's name
        as a text sender id (``Karlskoga``: ASCII letters and digits, at most 11, as operators allow)."""
        configured = self.sms_senders.get(organization)
        if configured:
            return configured
        word = (name.split() or [""])[0].translate(str.maketrans("ÅÄÖåäöÉé", "AAOaaoEe"))
        return "".join(c for c in word if c.isascii() and c.isalnum())[:11] or "Lotsen"

    @model_validator(mode="after")
    def _workspace_url_names_the_case(self) -> NotifySettings:
        if "{ref}" not in self.workspace_url:
            raise ValueError(
                "NOTIFY_WORKSPACE_URL must contain {ref}, e.g. https://lotsen.example/arenden/{ref}"
            )
        return self

    def page_token(self, organization: str) -> str | None:
        """The page access token of ``organization``; a dummy in dev mode, to try Messenger locally."""
        token = self.facebook_page_tokens.get(organization)
        if token is not None:
            return token.get_secret_value()
        return DEMO_FACEBOOK_PAGE_TOKEN if self.dev_mode else None
