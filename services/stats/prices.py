"""Prices of the invoice basis (debitering): what one unit of work costs a department, per organisation.

An administrator of the organisation sets them (``PUT /v1/stats/prices/{organization}``), its
supervisors and administrators read them (``GET``); setting them always needs an administrator's
token, also where ``STATS_REQUIRE_TOKEN=false`` lets anyone read the figures. The list is replaced
whole: each entry is a unit (:data:`UNITS`), the price in SEK as a decimal string with at most two
decimals (``"24.50"``; kept as integer öre, so no sum is ever rounded) and the first day of the
month it applies from. A price applies to whole months: each month of an invoice is priced with the
latest entry of its unit that applies from that month or earlier, so a price changed in the middle
of a tertial prices the months before the change at the old price and the rest at the new one. A
unit without an entry for a month has no price there: its count is shown, its amount is empty.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lotsen.auth import Principal
from lotsen.errors import Forbidden, NotFound, Unauthorized
from services.stats.deps import Reader
from services.stats.repository import StatsRepository

Unit = Literal["first_line", "handed_off", "calls_answered", "calls_transferred", "synpunkter"]
UNITS: tuple[Unit, ...] = ("first_line", "handed_off", "calls_answered", "calls_transferred", "synpunkter")
CURRENCY = "SEK"
HIGHEST_PRICE = Decimal("1000000")

router = APIRouter(tags=["stats"])


class UnknownOrganization(NotFound):
    code = "unknown_organization"


def ore(price: Decimal) -> int:
    return int(price * 100)


def sek(amount: int | None) -> str | None:
    """Öre as the decimal string of SEK: ``2450`` → ``"24.50"``; None stays None."""
    if amount is None:
        return None
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 100)
    return f"{sign}{whole}.{part:02d}"


class Price(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit: Unit = Field(description="what is counted: " + ", ".join(UNITS))
    valid_from: date = Field(description="the first day of the month the price applies from")
    price: Annotated[
        Decimal, Field(ge=0, le=HIGHEST_PRICE, decimal_places=2, description='SEK per unit, e.g. "24.50"')
    ]

    @field_validator("valid_from")
    @classmethod
    def _first_of_month(cls, value: date) -> date:
        if value.day != 1:
            raise ValueError(
                f"a price applies from the first day of a month; write {value:%Y-%m}-01, not {value}"
            )
        return value


class PriceList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prices: list[Price] = Field(description="the whole list; it replaces the one stored")

    @model_validator(mode="after")
    def _one_price_per_unit_and_month(self) -> PriceList:
        seen: set[tuple[str, date]] = set()
        for index, entry in enumerate(self.prices):
            if (entry.unit, entry.valid_from) in seen:
                raise ValueError(
                    f"prices.{index}: {entry.unit} has two prices from {entry.valid_from}; keep one"
                )
            seen.add((entry.unit, entry.valid_from))
        return self


class PricesRead(BaseModel):
    organization: str
    currency: str
    prices: list[dict[str, str]]
    updated_at: str | None


class Schedule:
    """An organisation's prices, looked up per unit and month (``"2026-03"``), in öre."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self._by_unit: dict[str, list[tuple[str, int]]] = {}
        for entry in entries:
            self._by_unit.setdefault(entry["unit"], []).append((entry["valid_from"][:7], int(entry["ore"])))
        for prices in self._by_unit.values():
            prices.sort()

    def price(self, unit: str, month: str) -> int | None:
        found = None
        for start, amount in self._by_unit.get(unit, []):
            if start <= month:
                found = amount
        return found


def stored(doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    return list(doc["prices"]) if doc else []


async def schedule_of(stats: StatsRepository, organization: str) -> Schedule:
    return Schedule(stored(await stats.prices(organization)))


def _read(organization: str, doc: dict[str, Any] | None) -> dict[str, Any]:
    entries = sorted(stored(doc), key=lambda e: (UNITS.index(e["unit"]), e["valid_from"]))
    return {
        "organization": organization,
        "currency": CURRENCY,
        "prices": [
            {"unit": e["unit"], "valid_from": e["valid_from"], "price": sek(int(e["ore"])) or "0.00"}
            for e in entries
        ],
        "updated_at": doc.get("updated_at") if doc else None,
    }


def _allowed(
    request: Request, principal: Principal | None, organization: str, roles: tuple[str, ...]
) -> None:
    """The organisation must exist, and the caller (when tokens are required) hold one of ``roles`` in it."""
    if request.app.state.runtime.directory.organization(organization) is None:
        raise UnknownOrganization(f"there is no organisation {organization!r} in the directory")
    if principal is None:  # STATS_REQUIRE_TOKEN=false: a closed network
        return
    if principal.role not in roles:
        raise Forbidden(
            f"prices are for {' and '.join(roles)}s of the organisation; not for a {principal.role}",
            details={"roles": list(roles)},
        )
    if not principal.serves(organization):
        raise Forbidden(
            f"you may handle the prices of {', '.join(principal.organizations)}, not of {organization}",
            details={"organization": organization, "yours": list(principal.organizations)},
        )


@router.get(
    "/v1/stats/prices/{organization}",
    summary="Debitering: the price per unit, and the month each applies from",
    response_model=PricesRead,
)
async def get_prices(organization: str, request: Request, reader: Reader) -> dict[str, Any]:
    _allowed(request, reader, organization, ("supervisor", "admin"))
    stats: StatsRepository = request.app.state.stats
    return _read(organization, await stats.prices(organization))


@router.put(
    "/v1/stats/prices/{organization}",
    summary="Debitering: set the prices (the whole list; administrators of the organisation)",
    response_model=PricesRead,
)
async def put_prices(
    organization: str, request: Request, reader: Reader, body: Annotated[PriceList, Body()]
) -> dict[str, Any]:
    if reader is None:  # STATS_REQUIRE_TOKEN=false opens reading, never writing
        raise Unauthorized(
            "setting prices needs an administrator's token: send 'Authorization: Bearer <token>'"
        )
    _allowed(request, reader, organization, ("admin",))
    stats: StatsRepository = request.app.state.stats
    doc = {
        "prices": [
            {"unit": p.unit, "valid_from": p.valid_from.isoformat(), "ore": ore(p.price)} for p in body.prices
        ],
        "updated_at": datetime.now(UTC).isoformat(),
    }
    await stats.put_prices(organization, doc)
    return _read(organization, doc)
