"""CSV import of the staff directory: one person a row, as exported from a payroll or HR system or
kept in a spreadsheet.

- UTF-8 (with or without the BOM Excel writes) or Windows-1252 (Excel's "CSV" on a Swedish
  Windows); comma or semicolon between fields (Swedish Excel uses semicolons).
- A header row names the columns, in Swedish or English, in any order: ``namn``/``name``,
  ``titel``/``title``, ``avdelning``/``förvaltning``/``department``, ``telefon``/``phone``,
  ``e-post``/``email``, ``ärendetyper``/``errand_types`` (several separated by ``|`` or ``,``),
  ``konto``/``account``. Name and department are required; the department is the directory's id
  (``samhallsbyggnad``) or its name (``Samhällsbyggnadsförvaltningen``).
- A row whose person is already in the directory (same e-mail address, else same name and
  department) updates that entry and keeps its absence note; any other row adds one.
- Bounded: at most :data:`MAX_ROWS` rows and :data:`MAX_BYTES` bytes. A row that is wrong, or that
  the caller may not keep, is reported with its line number and left out; the other rows are saved.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from pydantic import ValidationError

from lotsen.auth import Principal
from lotsen.directory import Organization
from services.casestore.staff.directory import StaffWrite, may_keep

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
COLUMNS = {
    "name": ("namn", "name", "för- och efternamn"),
    "title": ("titel", "title", "befattning"),
    "department": ("avdelning", "förvaltning", "department", "enhet"),
    "phone": ("telefon", "phone", "telefonnummer", "tel"),
    "email": ("e-post", "epost", "email", "e-mail", "mejl"),
    "errand_types": ("ärendetyper", "errand_types", "errand types", "ärenden"),
    "account": ("konto", "account", "användarnamn"),
}


class BadFile(ValueError):
    """The file as a whole cannot be read (no header, no name column …)."""


@dataclass
class RowProblem:
    line: int
    message: str
    field: str | None = None


@dataclass
class Parsed:
    rows: list[tuple[int, StaffWrite]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _header(names: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(names):
        wanted = name.strip().casefold()
        for column, aliases in COLUMNS.items():
            if wanted in aliases and column not in found:
                found[column] = index
    missing = [c for c in ("name", "department") if c not in found]
    if missing:
        raise BadFile(
            "the first row must name the columns; missing: "
            + ", ".join(f"{COLUMNS[c][0]} ({c})" for c in missing)
        )
    return found


def _department_id(value: str, organization: Organization) -> str:
    for department in organization.departments:
        if value.casefold() in (department.id.casefold(), department.name.casefold()):
            return department.id
    return value


def parse(text: str, organization: Organization, principal: Principal) -> Parsed:
    try:
        return _parse(text, organization, principal)
    except csv.Error as exc:
        raise BadFile(f"the file is not valid CSV: {exc}") from None


def _parse(text: str, organization: Organization, principal: Principal) -> Parsed:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        columns = _header(next(reader))
    except StopIteration:
        raise BadFile("the file is empty") from None
    parsed = Parsed()
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(parsed.rows) + len(parsed.problems) >= MAX_ROWS:
            raise BadFile(f"at most {MAX_ROWS} rows per file; split it")
        values = {c: row[i].strip() if i < len(row) else "" for c, i in columns.items()}
        values["department"] = _department_id(values["department"], organization)
        kinds = values.pop("errand_types", "")
        separator = "|" if "|" in kinds else ","
        try:
            body = StaffWrite.model_validate(
                {
                    **values,
                    "organization": organization.id,
                    "errand_types": [k.strip() for k in kinds.split(separator) if k.strip()],
                    "account": values.get("account") or None,
                }
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"])
            parsed.problems.append(RowProblem(line, f"{where}: {error['msg']}", where))
            continue
        if organization.department(body.department) is None:
            parsed.problems.append(
                RowProblem(line, f"{organization.id} has no department {body.department!r}", "department")
            )
        elif not may_keep(principal, organization.id, body.department):
            parsed.problems.append(
                RowProblem(line, f"you may not keep the people of {body.department}", "department")
            )
        else:
            parsed.rows.append((line, body))
    return parsed
