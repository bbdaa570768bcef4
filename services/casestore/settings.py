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
    callback_open_hours: float = Field(
        4.0,
        gt=0,
        description="a requested callback is made within this much of the answer group's opening time",
    )
    auto_close_days: int = 14
    retention_days: int = 730
    sla_scan_seconds: float = 30.0
    sla_scan_batch: int = Field(200, ge=1, description="cases per deadline and scan")
    outbox_relay_seconds: float = 5.0
    public_lookups_per_hour: int = 30
    login_attempts_per_client_per_minute: int = Field(60, ge=1)
    login_attempts_per_client_per_hour: int = Field(600, ge=1)
    login_attempts_per_account_per_minute: int = Field(20, ge=1)
    login_lockout_failures: int = Field(10, ge=1, description="failed log-ins in a row that lock an account")
    login_lockout_minutes: int = Field(15, ge=0, description="0: a lock-out ends only when lifted")
    login_hashing_threads: int = Field(2, ge=1, description="password checks (Argon2) at a time")
    login_queue_limit: int = Field(40, ge=1, description="log-ins waiting for a hashing thread")
    intake_url: str = "http://127.0.0.1:8001"
    status_page_url: str = Field(
        "http://127.0.0.1:8080/folj-arende", description="the citizens' status page, printed on receipts"
    )
    trusted_proxies: NetworkList = Field(
        default_factory=list, description="proxies whose X-Forwarded-For is believed"
    )
