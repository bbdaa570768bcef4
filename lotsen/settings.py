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
DEMO_SERVICE_KEY = "dev-service-key-not-for-production"
DEMO_OPEN311_KEY = "dev-open311-key"
DEMO_SECRETS = frozenset(
    {
        DEMO_JWT_SECRET,
        DEMO_CONNECTOR_KEY,
        DEMO_FACEBOOK_APP_SECRET,
        DEMO_FACEBOOK_VERIFY_TOKEN,
        DEMO_SERVICE_KEY,
        DEMO_OPEN311_KEY,
    }
)


class DemoSecretOutsideDevMode(ValueError):
    pass


class TrialInfrastructureOutsideDevMode(RuntimeError):
    """Outside dev mode, the in-memory MongoDB stand-in or no named Kafka, and no ``LOTSEN_TRIAL``."""


MB = 1024 * 1024


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
    kafka_fetch_max_wait_ms: int = Field(
        50,
        ge=1,
        le=5000,
        validation_alias="KAFKA_FETCH_MAX_WAIT_MS",
        description="how long a consumer's fetch waits at the broker for records. Apache Kafka answers "
        "as soon as a record arrives, so 500 costs no latency there; the embedded broker answers only "
        "after the wait when nothing was there at the fetch, so it is kept short",
    )
    kafka_commit_interval_ms: int = Field(
        200,
        ge=0,
        le=10_000,
        validation_alias="KAFKA_COMMIT_INTERVAL_MS",
        description="the least time between two offset commits of a consumer group (0: after every "
        "poll). Commits never run ahead of what was handled and are made before a rebalance and at "
        "shutdown, so a crash hands at most this much of the stream to the handlers again",
    )
    mongodb_url: str = Field("mongomock://", validation_alias="MONGODB_URL")
    trial: bool = Field(
        False,
        validation_alias="LOTSEN_TRIAL",
        description="outside dev mode, allow the in-memory MongoDB stand-in and the default broker address",
    )
    max_body_bytes: int = Field(
        1 * MB,
        ge=1024,
        description="the largest request body the service reads; larger ones are refused with 413",
    )

    consumer_max_attempts: int = Field(
        3,
        ge=1,
        validation_alias="LOTSEN_CONSUMER_MAX_ATTEMPTS",
        description="tries of a record whose handler fails (not an outage) before it goes to <topic>.dlq",
    )
    consumer_retry_initial_seconds: float = Field(
        0.2, gt=0, validation_alias="LOTSEN_CONSUMER_RETRY_INITIAL_SECONDS"
    )
    consumer_retry_max_seconds: float = Field(
        30.0, gt=0, validation_alias="LOTSEN_CONSUMER_RETRY_MAX_SECONDS"
    )
    processed_events_ttl_days: float = Field(
        14,
        gt=0,
        validation_alias="LOTSEN_PROCESSED_EVENTS_TTL_DAYS",
        description="how long a consumer remembers a handled event id; longer than Kafka's retention.ms",
    )

    lease_ttl_seconds: float = Field(
        30.0,
        gt=0,
        validation_alias="LOTSEN_LEASE_TTL_SECONDS",
        description="how long a job that runs on one replica at a time stays with a replica that stopped "
        "renewing its lease, before another takes it over (lotsen/leases.py)",
    )
    lease_renew_seconds: float = Field(
        10.0,
        gt=0,
        validation_alias="LOTSEN_LEASE_RENEW_SECONDS",
        description="how often the holder renews a lease; less than LOTSEN_LEASE_TTL_SECONDS",
    )

    jwt_secret: str | None = Field(None, validation_alias="LOTSEN_JWT_SECRET")
    jwt_issuer: str = Field("lotsen", validation_alias="LOTSEN_JWT_ISSUER")
    token_minutes: int = Field(480, validation_alias="LOTSEN_TOKEN_MINUTES")
    connector_keys: list[str] = Field(default_factory=list, validation_alias="LOTSEN_CONNECTOR_KEYS")
    service_key: str | None = Field(
        None,
        validation_alias="LOTSEN_SERVICE_KEY",
        description="shared by the services for calls only a service may make (X-Service-Key); "
        "unset outside dev mode, such endpoints refuse",
    )

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

    @property
    def max_request_bytes(self) -> int:
        """The cap every request body of the service is held to (a service with larger endpoints of
        its own raises it to their largest limit)."""
        return self.max_body_bytes

    def refuse_trial_infrastructure(self) -> None:
        """Outside dev mode, refuse to start on the in-memory stand-in or on a broker nobody named,
        unless ``LOTSEN_TRIAL`` says this is a trial: a production service must not lose its data on
        a restart because a variable was forgotten."""
        if self.dev_mode or self.trial:
            return
        problems = []
        if self.mongodb_url.startswith("mongomock://"):
            problems.append(
                "MONGODB_URL is the in-memory stand-in (mongomock://), which loses every case on a "
                "restart; set MONGODB_URL=mongodb://<host>:27017/?replicaSet=<name>"
            )
        if "kafka_bootstrap_servers" not in self.model_fields_set:
            problems.append(
                "KAFKA_BOOTSTRAP_SERVERS is not set; set it to your Kafka brokers, e.g. "
                "KAFKA_BOOTSTRAP_SERVERS=kafka-1:9092,kafka-2:9092"
            )
        if problems:
            raise TrialInfrastructureOutsideDevMode(
                "; ".join(problems)
                + " (LOTSEN_ENV is not 'dev'; for a trial on the embedded stand-ins set LOTSEN_TRIAL=1)"
            )

    @model_validator(mode="after")
    def _leases_renewed_within_their_term(self) -> ServiceSettings:
        if self.lease_renew_seconds >= self.lease_ttl_seconds:
            raise ValueError(
                f"LOTSEN_LEASE_RENEW_SECONDS ({self.lease_renew_seconds:g}) must be less than "
                f"LOTSEN_LEASE_TTL_SECONDS ({self.lease_ttl_seconds:g}), or a lease lapses between renewals"
            )
        return self

    @model_validator(mode="after")
    def _demo_secrets_only_in_dev(self) -> ServiceSettings:
        if self.dev_mode:
            if self.jwt_secret is None:
                self.jwt_secret = DEMO_JWT_SECRET
            if not self.connector_keys:
                self.connector_keys = [DEMO_CONNECTOR_KEY]
            if self.service_key is None:
                self.service_key = DEMO_SERVICE_KEY
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
        values.append(("LOTSEN_SERVICE_KEY", self.service_key))
        return values
