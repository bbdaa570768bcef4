from pydantic_settings import SettingsConfigDict

from lotsen.settings import ServiceSettings


class StatsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STATS_", extra="ignore")

    service_name: str = "stats"
    port: int = 8005
    timezone: str = "Europe/Stockholm"
    require_token: bool = False
