"""``GET /v1/stats/invoice``: the invoice basis (fakturaunderlag) per organisation and department.

For a tertial (``period=2026-T1``), a month (``period=2026-03``) or any ``from``/``to``: per line
(a department, an answer group serving several departments, or no department) each unit's count,
price and amount (:mod:`services.stats.charging`, priced by :mod:`services.stats.prices`), the
line's amount and its pending cases; per organisation the total. ``format=csv`` gives the same as
rows (:mod:`services.stats.invoice_csv`).

Who reads it: supervisors and administrators of the organisation, every line; a handler, the lines
of their own departments only (an answer group's shared line when it serves one of them) — calls
included, as the invoice charges their departments for them.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from lotsen.directory import Directory
from services.stats.access import Scope, scope_of
from services.stats.charging import invoice_lines, months_of
from services.stats.deps import Figures, FiguresDep
from services.stats.figures import InvalidPeriod, parse_month, parse_tertial
from services.stats.invoice_csv import invoice_csv
from services.stats.prices import CURRENCY, schedule_of
from services.stats.query import Period, Slice, read_slices

router = APIRouter(tags=["stats"])


def invoice_period(period: str | None, first: date | None, last: date | None) -> tuple[str, date, date]:
    if period is not None:
        try:
            return (period, *(parse_tertial(period) if "-T" in period else parse_month(period)))
        except InvalidPeriod:
            raise InvalidPeriod(
                f"period {period!r} is neither a tertial nor a month; write YYYY-T1 (Jan–Apr), "
                "YYYY-T2 (May–Aug), YYYY-T3 (Sep–Dec) or YYYY-MM"
            ) from None
    if first is not None and last is not None and first <= last:
        return f"{first}--{last}", first, last
    raise InvalidPeriod(
        "give period=YYYY-Tn (a tertial) or YYYY-MM (a month), "
        "or both 'from' and 'to' with 'from' not after 'to'"
    )


async def build_invoice(
    figures: Figures,
    directory: Directory,
    *,
    period: str,
    first: date,
    last: date,
    organization: str | None,
    read: dict[str, list[Slice]] | None = None,
) -> dict[str, Any]:
    """The invoice basis; ``read``: the period's case and call slices when the caller has them
    already, read for a reader of every department (the tertial report's, for a supervisor)."""
    scope = scope_of(figures.reader, "cases", organization)  # the role and organisation rules of every figure
    figures.scope = scope
    if read is None:
        read = await _read(figures, scope, Period(first, last, organization))
    known = [
        o.id for o in directory.organizations if scope.organizations is None or o.id in scope.organizations
    ]
    seen = {p.organization for pieces in read.values() for p in pieces}
    organizations = [organization] if organization else sorted(set(known) | seen)
    months = months_of(first, last)
    return figures.scoped(
        {
            "period": period,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "as_of": figures.now.isoformat(),
            "currency": CURRENCY,
            "organizations": [
                invoice_lines(
                    org,
                    directory.organization(org),
                    [p for p in read["cases"] if p.organization == org],
                    [p for p in read["calls"] if p.organization == org],
                    months,
                    await schedule_of(figures.stats, org),
                    scope.departments,
                )
                for org in organizations
            ],
        }
    )


@router.get(
    "/v1/stats/invoice",
    summary="Debitering: the invoice basis per organisation and department, priced",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
async def get_invoice(
    figures: FiguresDep,
    request: Request,
    period: Annotated[str | None, Query(description="YYYY-Tn (tertial) or YYYY-MM (month)")] = None,
    from_: Annotated[
        date | None, Query(alias="from", description="instead of a period: first local date")
    ] = None,
    to: Annotated[date | None, Query(description="instead of a period: last local date")] = None,
    organization: Annotated[str | None, Query(description="one organisation; all yours if left out")] = None,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv")] = "json",
) -> Any:
    name, first, last = invoice_period(period, from_, to)
    body = await build_invoice(
        figures,
        request.app.state.runtime.directory,
        period=name,
        first=first,
        last=last,
        organization=organization,
    )
    if format == "json":
        return JSONResponse(body)
    filename = f"lotsen-debitering-{name}{'-' + organization if organization else ''}.csv"
    return Response(
        invoice_csv(body),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def add_to_report(
    report: dict[str, Any],
    figures: Figures,
    directory: Directory,
    *,
    first: date,
    last: date,
    organization: str | None,
    read: dict[str, list[Slice]] | None = None,
) -> None:
    """The tertial report's ``invoice`` per organisation: the same lines as the invoice basis."""
    invoice = await build_invoice(
        figures,
        directory,
        period=report["period"],
        first=first,
        last=last,
        organization=organization,
        read=read,
    )
    by_organization = {entry["organization"]: entry for entry in invoice["organizations"]}
    for entry in report["organizations"]:
        entry["invoice"] = by_organization.get(entry["organization"])


async def _read(figures: Figures, scope: Scope, span: Period) -> dict[str, list[Slice]]:
    await figures.aggregator.flush()
    return {
        kind: await read_slices(
            figures.stats,
            kind,
            span,
            days_only=False,
            now=figures.now,
            tz=figures.tz,
            organizations=scope.organizations,
        )
        for kind in ("cases", "calls")
    }
