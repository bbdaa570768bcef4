from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from lotsen.addresses import NetworkList
from lotsen.settings import ServiceSettings


class CasestoreSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CASESTORE_", extra="ignore")

    service_name: str = "casestore"
    port: int = 8003
    first_response_mode: Literal["calendar", "working_days"] = "calendar"
    first_response_hours: int = 48
    first_response_working_days: int = 2
    handoff_working_days: int = 2
    auto_close_days: int = 14
    retention_days: int = 730
    sla_scan_seconds: float = 30.0
    sla_scan_batch: int = Field(200, ge=1, description="cases per deadline and scan")
    outbox_relay_seconds: float = 5.0
    public_lookups_per_hour: int = 30
    intake_url: str = "http://127.0.0.1:8001"
    trusted_proxies: NetworkList = Field(
        default_factory=list, description="proxies whose X-Forwarded-For is believed"
    )
