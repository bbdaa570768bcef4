"""Settings shared by every service. Each service subclasses :class:`ServiceSettings` with its own
env prefix (``INTAKE_``, ``ROUTING_``, …); the infrastructure settings below keep their
conventional unprefixed names so one environment serves all services.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_JWT_SECRET = "lotsen-dev-jwt-secret-not-for-production"
DEMO_CONNECTOR_KEY = "dev-connector-key"
DEMO_FACEBOOK_APP_SECRET = "dev-app-secret"
DEMO_FACEBOOK_VERIFY_TOKEN = "dev-verify-token"
DEMO_SECRETS = frozenset(
    {DEMO_JWT_SECRET, DEMO_CONNECTOR_KEY, DEMO_FACEBOOK_APP_SECRET, DEMO_FACEBOOK_VERIFY_TOKEN}
)


class DemoSecretOutsideDevMode(ValueError):
    pass


class ServiceSettings(BaseSettings):
    """Infrastructure settings are read only under their unprefixed names (``LOTSEN_ENV``, not
    ``CASESTORE_ENV``): one variable switches every service, and none can be switched alone."""

    model_config = SettingsConfigDict(extra="ignore")

    def __init__(self, **values: Any) -> None:
        # Code (tests, tools) may pass field names; the environment only ever matches the aliases.
        aliases = {
            name: field.validation_alias
            for name, field in type(self).model_fields.items()
            if isinstance(field.validation_alias, str)
        }
        super().__init__(**{aliases.get(key, key): value for key, value in values.items()})

    service_name: str = "lotsen"
    env: Literal["dev", "production"] = Field("production", validation_alias="LOTSEN_ENV")
    host: str = "127.0.0.1"
    port: int = 8000

    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    kafka_enable_idempotence: bool = Field(False, validation_alias="KAFKA_ENABLE_IDEMPOTENCE")
    kafka_publish_timeout_seconds: float = Field(10.0, validation_alias="KAFKA_PUBLISH_TIMEOUT_SECONDS")
    mongodb_url: str = Field("mongomock://", validation_alias="MONGODB_URL")

    jwt_secret: str | None = Field(None, validation_alias="LOTSEN_JWT_SECRET")
    jwt_issuer: str = Field("lotsen", validation_alias="LOTSEN_JWT_ISSUER")
    token_minutes: int = Field(480, validation_alias="LOTSEN_TOKEN_MINUTES")
    connector_keys: list[str] = Field(default_factory=list, validation_alias="LOTSEN_CONNECTOR_KEYS")

    otel_exporter_otlp_endpoint: str | None = Field(None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    log_level: str = Field("INFO", validation_alias="LOTSEN_LOG_LEVEL")
    log_json: bool = Field(True, validation_alias="LOTSEN_LOG_JSON")

    directory_file: Path | None = Field(
        None,
        validation_alias="LOTSEN_DIRECTORY_FILE",
        description="the municipality's directory; demo if unset",
    )
    exit_on_consumer_failure: bool = Field(
        True,
        validation_alias="LOTSEN_EXIT_ON_CONSUMER_FAILURE",
        description="stop the process when a consumer fails unexpectedly, so the orchestrator restarts it",
    )

    @property
    def dev_mode(self) -> bool:
        return self.env == "dev"

    @model_validator(mode="after")
    def _demo_secrets_only_in_dev(self) -> ServiceSettings:
        if self.dev_mode:
            if self.jwt_secret is None:
                self.jwt_secret = DEMO_JWT_SECRET
            if not self.connector_keys:
                self.connector_keys = [DEMO_CONNECTOR_KEY]
            return self
        configured = {name for name, value in self._secret_values() if value in DEMO_SECRETS}
        if configured:
            raise DemoSecretOutsideDevMode(
                f"demo secrets are configured ({', '.join(sorted(configured))}) but LOTSEN_ENV is not 'dev'; "
                "set real secrets for production"
            )
        if not self.jwt_secret or len(self.jwt_secret) < 32:
            raise ValueError("LOTSEN_JWT_SECRET must be set outside dev mode, 32 characters at least")
        return self

    def _secret_values(self) -> list[tuple[str, str | None]]:
        values: list[tuple[str, str | None]] = [("LOTSEN_JWT_SECRET", self.jwt_secret)]
        values += [("LOTSEN_CONNECTOR_KEYS", key) for key in self.connector_keys]
        return values
