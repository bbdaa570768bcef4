"""Dependencies the case routes share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from lotsen.directory import Directory
from services.casestore.changes import Cases
from services.casestore.settings import CasestoreSettings


def _cases(request: Request) -> Cases:
    return request.app.state.cases  # type: ignore[no-any-return]


def _settings(request: Request) -> CasestoreSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _directory(request: Request) -> Directory:
    return request.app.state.runtime.directory  # type: ignore[no-any-return]


CasesDep = Annotated[Cases, Depends(_cases)]
SettingsDep = Annotated[CasestoreSettings, Depends(_settings)]
DirectoryDep = Annotated[Directory, Depends(_directory)]
