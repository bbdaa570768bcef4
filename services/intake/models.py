"""What connectors and citizens send to intake (DESIGN §4)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from lotsen.contracts.contacts import Location


class WebformSubmission(BaseModel):
    """A web form post: ``kontakta-oss``, ``synpunkt``, ``felanmalan`` or another form of the directory."""

    model_config = ConfigDict(
        extra="ignore",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "form_id": "kontakta-oss",
                    "organization": "karlskoga",
                    "name": "Erik Nilsson",
                    "email": "erik@example.se",
                    "subject": "Fakturafråga",
                    "message": "Jag har fått en faktura för barnomsorg som verkar vara fel belopp.",
                }
            ]
        },
    )

    form_id: str = Field(min_length=1, max_length=64)
    organization: str | None = Field(None, description="organisation id; the directory's default when absent")
    name: str | None = Field(None, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=40, pattern=r"^[0-9+() \-]*$")
    subject: str | None = Field(None, max_length=300)
    message: str = Field(min_length=1, max_length=20_000)
    category_hint: str | None = Field(None, max_length=100)
    location: Location | None = None
    website: str | None = Field(None, description="honeypot: people leave it empty, robots fill it in")

    @field_validator("name", "email", "phone", "subject", "category_hint", "organization", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class Accepted(BaseModel):
    contact_id: str
