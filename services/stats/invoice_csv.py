"""The invoice basis as CSV: one row per number, the columns stable (docs/figures.md).

Columns: ``period, organization, line, department, answer_group, departments, unit, month, count,
price, amount``.

- ``line`` is ``department`` (``department`` names it), ``answer_group`` (an answer group serving
  several departments: ``answer_group`` names it, ``departments`` lists them, space-separated),
  ``none`` (no department: shown, charged to no one) or ``organization`` (the organisation's totals).
- ``unit`` is one of ``first_line, handed_off, calls_answered, calls_transferred, synpunkter``, or
  ``pending`` (cases not yet resolved or handed off: ``count`` only) or ``total`` (``amount`` only);
  for the organisation also ``unpriced`` (units counted in a month without a price).
- ``month`` is empty for the whole period, else ``YYYY-MM``: a unit's row for the period is followed
  by one row per month it counted anything in, with that month's price.
- ``price`` and ``amount`` are SEK with a decimal point and two decimals; empty when there is no price
  (or the line is charged to no one).

Comma-separated, UTF-8, RFC 4180 quoting.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

COLUMNS = (
    "period",
    "organization",
    "line",
    "department",
    "answer_group",
    "departments",
    "unit",
    "month",
    "count",
    "price",
    "amount",
)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def invoice_rows(invoice: dict[str, Any]) -> Iterator[list[str]]:
    period = invoice["period"]
    for entry in invoice["organizations"]:
        org = entry["organization"]
        for line in entry["lines"]:
            kind = "department" if line["department"] else "answer_group" if line["answer_group"] else "none"
            who = [
                period,
                org,
                kind,
                _text(line["department"]),
                _text(line["answer_group"]),
                " ".join(line["departments"]),
            ]
            for unit in line["units"]:
                yield [
                    *who,
                    unit["unit"],
                    "",
                    _text(unit["count"]),
                    _text(unit["price"]),
                    _text(unit["amount"]),
                ]
                for part in unit["months"]:
                    yield [
                        *who,
                        unit["unit"],
                        part["month"],
                        _text(part["count"]),
                        _text(part["price"]),
                        _text(part["amount"]),
                    ]
            yield [*who, "pending", "", _text(line["pending"]), "", ""]
            yield [*who, "total", "", "", "", _text(line["amount"])]
        org_row = [period, org, "organization", "", "", ""]
        yield [*org_row, "pending", "", _text(entry["pending"]), "", ""]
        yield [*org_row, "unpriced", "", _text(entry["unpriced"]), "", ""]
        yield [*org_row, "total", "", "", "", _text(entry["amount"])]


def invoice_csv(invoice: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(invoice_rows(invoice))
    return out.getvalue()


def invoice_report_rows(
    org: str, invoice: dict[str, Any] | None
) -> Iterator[tuple[str, str, str, str, str, str]]:
    """The tertial report's CSV rows of one organisation's invoice basis (``figure`` ``invoice``)."""
    if invoice is None:
        return
    for line in invoice["lines"]:
        who = line["department"] or (f"answer_group:{line['answer_group']}" if line["answer_group"] else "")
        for unit in line["units"]:
            for measure in ("count", "price", "amount"):
                yield org, who, "invoice", unit["unit"], measure, _text(unit[measure])
        yield org, who, "invoice", "pending", "count", _text(line["pending"])
        yield org, who, "invoice", "total", "amount", _text(line["amount"])
    yield org, "", "invoice", "", "amount", _text(invoice["amount"])
    yield org, "", "invoice", "", "unpriced", _text(invoice["unpriced"])
