"""The tertial report as CSV: one row per number, ready for a pivot table.

Columns: ``organization, department, figure, key, measure, value``.

- ``department`` is empty for the organisation as a whole (and for telephony, which is per answer
  group); ``key`` is empty for a figure's total, else the group: an answer group for
  ``answer_rate`` and ``time_spent``, a channel, category or ROSA level for the volumes, a month for
  ``charging``.
- ``measure`` names the number (``answer_rate``, ``in_time``, ``by_age.3-7``,
  ``bemotande.mean`` …); ``value`` is the number, empty for "no value" (an empty denominator),
  ``true``/``false`` for ``met``.
- Synpunkter, under the department they concern: the count (``key`` empty), one count per kind
  (``key`` ``praise``, ``complaint``, ``suggestion``, ``question``, ``unclassified``) and one row per
  case reference (``measure`` ``case_ref``).
- The invoice basis (``figure`` ``invoice``): per line and unit a ``count``, ``price`` and ``amount``
  row (``key`` the unit); ``department`` is the line's department, ``answer_group:<id>`` for an
  answer group serving several departments, empty for the line of no department; per line ``key``
  ``pending`` and ``total``; the organisation's ``amount`` and ``unpriced`` with both empty.

Comma-separated, UTF-8, RFC 4180 quoting; numbers with a decimal point.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from services.stats.invoice_csv import invoice_report_rows
from services.stats.ivr import report_csv_rows as ivr_report_rows

COLUMNS = ("organization", "department", "figure", "key", "measure", "value")
Row = tuple[str, str, str, str, str, str]


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def measures(figure: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(measure, value) of a figure's numbers; nested dictionaries give ``outer.inner``."""
    for name, value in figure.items():
        if name in ("groups", "key", "refs"):
            continue
        if isinstance(value, dict):
            yield from measures(value, f"{prefix}{name}.")
        elif not isinstance(value, list):
            yield f"{prefix}{name}", value


def figure_rows(
    org: str, department: str, figure: str, body: dict[str, Any], key: Any = None
) -> Iterator[Row]:
    for measure, value in measures(body):
        yield org, department, figure, cell(key), measure, cell(value)


def department_rows(org: str, entry: dict[str, Any], dept: str) -> Iterator[Row]:
    for figure in ("email_response", "resolution", "satisfaction", "failure_demand", "backlog"):
        yield from figure_rows(org, dept, figure, entry[figure])
    yield org, dept, "volumes", "", "cases", cell(entry["cases"])
    yield from figure_rows(org, dept, "time_spent", entry["time_spent"])
    for row in entry.get("by_channel", []):
        yield org, dept, "volumes_by_channel", cell(row["key"]), "count", cell(row["count"])


def report_rows(report: dict[str, Any]) -> Iterator[Row]:
    for entry in report["organizations"]:
        org = entry["organization"]
        rate = entry["answer_rate"]
        yield from figure_rows(org, "", "answer_rate", rate)
        for group in rate["groups"]:
            yield from figure_rows(org, "", "answer_rate", group, group["key"])
        yield from department_rows(org, entry, "")
        for group in entry["time_spent"]["groups"]:
            yield from figure_rows(org, "", "time_spent", group, group["key"])
        yield from ivr_report_rows(org, entry)
        volumes = entry["volumes"]
        yield org, "", "volumes", "", "calls_offered", cell(volumes["calls_offered"])
        for name in ("by_channel", "by_category", "by_rosa_level"):
            for row in volumes[name]:
                yield org, "", f"volumes_{name}", cell(row["key"]), "count", cell(row["count"])
        for month in entry["charging"]:
            for row in month["groups"]:
                dept = cell(row["key"])
                yield org, dept, "charging", month["month"], "count", cell(row["count"])
                yield org, dept, "charging", month["month"], "pending", cell(row["pending"])
        for department in entry["departments"]:
            dept = cell(department["department"])
            yield from department_rows(org, department, dept)
            yield org, dept, "synpunkter", "", "count", cell(department["synpunkter"]["count"])
            for kind, n in department["synpunkter"]["by_kind"].items():
                yield org, dept, "synpunkter", kind, "count", cell(n)
            for ref in department["synpunkter"]["refs"]:
                yield org, dept, "synpunkter", "", "case_ref", ref
        for row in entry.get("category_handling", []):
            yield from figure_rows(org, "", "category_handling", row, row["key"])
        yield from invoice_report_rows(org, entry.get("invoice"))


def to_csv(rows: Iterator[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue()
