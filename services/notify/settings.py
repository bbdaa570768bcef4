from pydantic_settings import SettingsConfigDict

from lotsen.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", populate_by_name=True, extra="ignore")

    service_name: str = "notify"
    port: int = 8004
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
