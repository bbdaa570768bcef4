"""Reading a directory file: a shared catalogue, and organisations that take it and adjust it.

A directory file (``demo.yaml``; a municipality's own via ``LOTSEN_DIRECTORY_FILE``) has the keys

- ``catalogue``: a mapping, or the name of a YAML file beside the directory file, holding what
  organisations share: ``answer_groups``, ``categories``, ``agreements``, ``forms`` and ``classifier``;
- ``classifier`` (optional): overrides the catalogue's classifier settings;
- ``organizations``: each with its own ``departments`` and addresses, and optionally its own
  ``answer_groups``, ``categories``, ``agreements`` and ``forms``.

An organisation's lists are merged into the catalogue's by id (agreements by department): an entry
whose id the catalogue has replaces the fields it names, a new id is added.
``exclude_categories`` removes catalogue categories the organisation does not offer (and drops them
from its agreements). Categories never state ``handled_by``: the department's agreement and the ROSA
level decide it here, once, so every service and ``GET /v1/directory`` see the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from lotsen.directory.checks import first_line_by_agreement
from lotsen.directory.models import Agreement, Category, Directory

MERGED_LISTS = ("answer_groups", "categories", "agreements", "forms")


class DirectoryError(ValueError):
    """The directory file is not valid; the message says where."""


def parse_directory(raw: Mapping[str, Any], *, base: Path | None = None) -> Directory:
    """Resolve the catalogue into every organisation and validate the result."""
    if not isinstance(raw, Mapping) or "organizations" not in raw:
        raise DirectoryError("a directory file needs the key 'organizations'")
    catalogue = _catalogue(raw.get("catalogue"), base)
    classifier = {**(catalogue.get("classifier") or {}), **(raw.get("classifier") or {})}
    organizations = []
    for index, org in enumerate(raw["organizations"] or []):
        where = f"organizations[{index}] ({org.get('id', '?') if isinstance(org, Mapping) else '?'})"
        if not isinstance(org, Mapping):
            raise DirectoryError(f"{where}: an organisation is a mapping")
        organizations.append(_resolve_organization(dict(org), catalogue, where))
    try:
        return Directory.model_validate({"organizations": organizations, "classifier": classifier})
    except ValidationError as exc:
        raise DirectoryError(_describe(exc)) from exc


def load_directory(path: Path | str) -> Directory:
    path = Path(path)
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return parse_directory(raw, base=path.parent)


def _catalogue(value: Any, base: Path | None) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, str):
        path = (base or Path.cwd()) / value
        try:
            with open(path, encoding="utf-8") as fh:
                value = yaml.safe_load(fh)
        except OSError as exc:
            raise DirectoryError(f"catalogue: cannot read {path}: {exc.strerror}") from exc
    if not isinstance(value, Mapping):
        raise DirectoryError("catalogue: a mapping or the name of a YAML file")
    unknown = set(value) - {*MERGED_LISTS, "classifier"}
    if unknown:
        raise DirectoryError(f"catalogue: unknown keys {sorted(unknown)}")
    return dict(value)


def _resolve_organization(org: dict[str, Any], catalogue: Mapping[str, Any], where: str) -> dict[str, Any]:
    excluded = set(org.pop("exclude_categories", None) or [])
    for key in MERGED_LISTS:
        id_key = "department" if key == "agreements" else "id"
        org[key] = _merge(catalogue.get(key) or [], org.get(key) or [], id_key, f"{where}.{key}")
    unknown_exclusions = excluded - {c.get("id") for c in org["categories"]}
    if unknown_exclusions:
        raise DirectoryError(f"{where}.exclude_categories: unknown categories {sorted(unknown_exclusions)}")
    org["categories"] = [c for c in org["categories"] if c.get("id") not in excluded]
    for agreement in org["agreements"]:
        agreement["first_line"] = [c for c in agreement.get("first_line") or [] if c not in excluded]
    org["categories"] = [_with_handled_by(c, org["agreements"], where) for c in org["categories"]]
    return org


def _merge(base: list[Any], own: list[Any], id_key: str, where: str) -> list[dict[str, Any]]:
    merged: dict[Any, dict[str, Any]] = {}
    for source, entries in (("catalogue", base), ("organisation", own)):
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping) or id_key not in entry:
                raise DirectoryError(f"{where}[{index}] ({source}): each entry needs '{id_key}'")
            key = entry[id_key]
            merged[key] = {**merged.get(key, {}), **entry}
    return list(merged.values())


def _with_handled_by(
    category: dict[str, Any], agreements: list[dict[str, Any]], where: str
) -> dict[str, Any]:
    if "handled_by" in category:
        raise DirectoryError(
            f"{where}.categories[{category.get('id')}].handled_by: first line or department is decided by "
            "the department's agreement; list the category under agreements[].first_line instead"
        )
    try:
        parsed = Category.model_validate({**category, "handled_by": "department"})
        agreement = next(
            (Agreement.model_validate(a) for a in agreements if a.get("department") == parsed.department),
            None,
        )
    except ValidationError as exc:
        raise DirectoryError(f"{where}.categories[{category.get('id')}]: {_describe(exc)}") from exc
    first_line = first_line_by_agreement(parsed, agreement)
    return {**category, "handled_by": "first_line" if first_line else "department"}


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        loc = ".".join(str(p) for p in error.get("loc", ()))
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        parts.append(f"{loc}: {message}" if loc else message)
    return "; ".join(parts)
