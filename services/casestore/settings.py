from pydantic_settings import SettingsConfigDict

from lotsen.settings import ServiceSettings


class CasestoreSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CASESTORE_", extra="ignore")

    service_name: str = "casestore"
    port: int = 8003
    first_response_hours: int = 48
