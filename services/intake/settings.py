"""intake's settings (env prefix ``INTAKE_``): listeners, limits, rate limits and channel secrets."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from lotsen.addresses import NetworkList
from lotsen.settings import (
    DEMO_FACEBOOK_APP_SECRET,
    DEMO_FACEBOOK_VERIFY_TOKEN,
    DEMO_OPEN311_KEY,
    ServiceSettings,
)

MB = 1024 * 1024


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    service_name: str = "intake"
    port: int = 8001

    # E-mail: the SMTP listener for the municipality's MTA (runs inside the intake process).
    smtp_enabled: bool = True
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(2525, description="0 picks a free port (tests)")
    smtp_hostname: str = Field("lotsen-intake", description="the name the listener greets with")
    smtp_allowed_clients: NetworkList = Field(
        default_factory=list, description="IP addresses or networks (CIDR) that may deliver; empty: any"
    )
    email_max_message_bytes: int = Field(25 * MB, ge=1024, description="a whole message, as delivered")

    # Attachments of every channel (e-mail, web forms with files, scanned letters).
    attachment_max_bytes: int = Field(10 * MB, ge=1, description="one file")
    attachments_max_count: int = Field(20, ge=0, description="files per contact")
    upload_max_bytes: int = Field(25 * MB, ge=1024, description="a whole multipart request")
    json_max_bytes: int = Field(1 * MB, ge=1024, description="a JSON request body")

    # One contact event on contacts.received (docs/connectors.md, "Limits"): well under the broker's
    # record limit (message.max.bytes, 1 MB by default), since routing adds its decision to it.
    event_max_bytes: int = Field(256 * 1024, ge=16 * 1024, description="one encoded contact event")
    text_max_bytes: int = Field(
        64 * 1024, ge=1024, description="the text an event carries; a longer one is stored whole"
    )

    # Web forms are public: per client address, a sliding hour and day.
    webform_per_hour: int = Field(20, ge=1)
    webform_per_day: int = Field(240, ge=1)
    trusted_proxies: NetworkList = Field(
        default_factory=list,
        description="proxies (IP or CIDR) whose X-Forwarded-For is believed; empty: none",
    )

    # Facebook Messenger (the Meta app of the municipality's page).
    facebook_app_secret: str | None = None
    facebook_verify_token: str | None = None

    # Phone (CTI): events per request.
    phone_max_events: int = Field(1000, ge=1)

    # Open311 GeoReport v2 (docs/open311.md): keys configured here besides those an admin issues
    # (key → organisation id; dev mode adds the demo key for karlskoga), and the limits.
    open311_keys: dict[str, str] = Field(default_factory=dict)
    open311_requests_per_hour: int = Field(600, ge=1, description="POST requests per API key, by default")
    open311_requests_per_day: int = Field(5000, ge=1)
    open311_reads_per_hour: int = Field(3600, ge=1, description="GET requests per client address")
    open311_max_body_bytes: int = Field(64 * 1024, ge=1024, description="a POST requests body")

    @model_validator(mode="after")
    def _text_fits_the_event(self) -> IntakeSettings:
        if self.text_max_bytes > self.event_max_bytes // 2:
            raise ValueError("INTAKE_TEXT_MAX_BYTES must be at most half of INTAKE_EVENT_MAX_BYTES")
        return self

    @model_validator(mode="after")
    def _demo_channel_secrets_in_dev(self) -> IntakeSettings:
        if self.dev_mode:
            self.facebook_app_secret = self.facebook_app_secret or DEMO_FACEBOOK_APP_SECRET
            self.facebook_verify_token = self.facebook_verify_token or DEMO_FACEBOOK_VERIFY_TOKEN
            if not self.open311_keys:
                self.open311_keys = {DEMO_OPEN311_KEY: "karlskoga"}
        return self

    def _secret_values(self) -> list[tuple[str, str | None]]:
        # The shared production check refuses demo values for these too.
        return [
            *super()._secret_values(),
            ("INTAKE_FACEBOOK_APP_SECRET", self.facebook_app_secret),
            ("INTAKE_FACEBOOK_VERIFY_TOKEN", self.facebook_verify_token),
            *(("INTAKE_OPEN311_KEYS", key) for key in self.open311_keys),
        ]

    @property
    def max_request_bytes(self) -> int:
        # Each intake route reads its body itself, held to its own limit above; the shared cap only
        # has to let the largest of them through.
        limits = (self.json_max_bytes, self.upload_max_bytes, self.email_max_message_bytes)
        return max(self.max_body_bytes, *limits)
