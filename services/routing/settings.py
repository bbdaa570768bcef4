from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from lotsen.settings import ServiceSettings


class RoutingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ROUTING_", extra="ignore")

    service_name: str = "routing"
    port: int = 8002
    rules_refresh_seconds: float = Field(
        2.0, ge=0, description="how often a process looks for ruleset versions another process activated"
    )
    default_rules_file: Path | None = Field(
        None, description="the rules stored as version 1 on an empty database; the shipped default if unset"
    )
