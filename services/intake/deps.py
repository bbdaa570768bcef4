"""What intake's routes receive: the accepting machinery, the settings and the directory."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from lotsen.directory import Directory
from services.intake.contacts import Intake
from services.intake.settings import IntakeSettings


async def _intake(request: Request) -> Intake:
    return request.app.state.intake  # type: ignore[no-any-return]


async def _settings(request: Request) -> IntakeSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def _directory(request: Request) -> Directory:
    return request.app.state.runtime.directory  # type: ignore[no-any-return]


IntakeDep = Annotated[Intake, Depends(_intake)]
SettingsDep = Annotated[IntakeSettings, Depends(_settings)]
DirectoryDep = Annotated[Directory, Depends(_directory)]
