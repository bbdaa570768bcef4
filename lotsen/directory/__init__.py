"""The directory: organisations, departments, answer groups, categories, agreements, forms and addresses.

Shipped as data (``demo.yaml`` with the shared ``catalogue.yaml``, modelled on the seeds: Karlskoga
answering for Degerfors and Karlskogahem, Botkyrka's IVR menu, the errand types of Hallsberg 7.4,
Södertälje Bilaga 2 and the customer services Karlskoga closed). The setting
``LOTSEN_DIRECTORY_FILE`` points at a municipality's own file; services load it once at start-up
onto their runtime. The file format is described in ``docs/routing.md`` and in
:mod:`lotsen.directory.loading`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lotsen.directory.checks import FALLBACK_CATEGORY, FIRST_LINE_MAX_ROSA, first_line_by_agreement
from lotsen.directory.loading import DirectoryError, load_directory, parse_directory
from lotsen.directory.models import (
    Agreement,
    AnswerGroup,
    Category,
    ClassifierSettings,
    Department,
    Directory,
    Form,
    FormField,
    HandledBy,
    Open311Attribute,
    Open311Service,
    Open311Value,
    OpeningHours,
    Organization,
    Priority,
    SlaOverride,
)

DEMO_FILE = Path(__file__).with_name("demo.yaml")

__all__ = [
    "DEMO_FILE",
    "FALLBACK_CATEGORY",
    "FIRST_LINE_MAX_ROSA",
    "Agreement",
    "AnswerGroup",
    "Category",
    "ClassifierSettings",
    "Department",
    "Directory",
    "DirectoryError",
    "Form",
    "FormField",
    "HandledBy",
    "Open311Attribute",
    "Open311Service",
    "Open311Value",
    "OpeningHours",
    "Organization",
    "Priority",
    "SlaOverride",
    "directory_from",
    "first_line_by_agreement",
    "load_directory",
    "parse_directory",
]


@lru_cache(maxsize=4)
def _cached(path: str) -> Directory:
    return load_directory(path)


def directory_from(path: Path | None = None) -> Directory:
    """The directory in ``path``, else the shipped demo directory (parsed once per process)."""
    return _cached(str(path or DEMO_FILE))
