"""intake (:8001, SMTP :2525): every channel in, validated and normalised, answered only after Kafka
acknowledged.

Where things live: ``webform.py``, ``email/`` (parse, SMTP listener, HTTP route), ``facebook.py``,
``phone.py``, ``manual.py`` (one module per channel); ``contacts.py`` (accepting a contact:
idempotency, attachments, publishing); ``repository.py`` (every MongoDB call); ``attachments.py``
(files for staff); ``bodies.py`` (limits on what comes in); ``erasure.py`` (``case.erased`` deletes
a case's files).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.contracts.envelope import Event
from lotsen.kafka.publisher import Publisher
from lotsen.service import Runtime, build_app
from services.intake import attachments, erasure, facebook, manual, phone, repository, webform
from services.intake.bounds import EventLimits
from services.intake.contacts import Intake
from services.intake.email import routes as email_routes
from services.intake.email.smtp import IntakeHandler, SmtpListener
from services.intake.open311 import readmodel as open311_readmodel
from services.intake.open311 import reads as open311_reads
from services.intake.open311 import repository as open311_repository
from services.intake.open311 import routes as open311_routes
from services.intake.settings import IntakeSettings


async def _startup(app: FastAPI, runtime: Runtime) -> None:
    settings: IntakeSettings = app.state.settings
    await repository.create_indexes(runtime.db, expire=not settings.mongodb_url.startswith("mongomock://"))
    app.state.intake = Intake(
        publisher=runtime.publisher,
        records=repository.IdempotencyRecords(runtime.db),
        files=repository.AttachmentStore(runtime.db),
        limits=EventLimits(event_max_bytes=settings.event_max_bytes, text_max_bytes=settings.text_max_bytes),
    )
    app.state.webform_limiter = webform.limiter_for(settings)
    # Open311 GeoReport v2: keys' and readers' limits, and the requests' read model.
    await open311_repository.create_indexes(
        runtime.db, expire=not settings.mongodb_url.startswith("mongomock://")
    )
    app.state.open311_read_limiter = open311_reads.read_limiter(settings)
    # One consumer group (lotsen-intake) for what intake follows, so cases.events is fetched once:
    # the Open311 read model, and on case.erased (a person's request, or retention) the case's files.
    read_model = open311_readmodel.make_handler(open311_repository.Requests(runtime.db), runtime.directory)
    erase_files = erasure.make_handler(repository.AttachmentStore(runtime.db))

    async def follow(event: Event[Any]) -> None:
        await read_model(event)
        await erase_files(event)

    await runtime.consume(
        "intake",
        [topics.CONTACTS_RECEIVED, topics.CASES_EVENTS],
        follow,
        event_types=sorted({*open311_readmodel.HANDLES, *erasure.HANDLES}),
    )
    app.state.smtp = None
    if settings.smtp_enabled:  # last: mail is taken only once everything else is up
        handler = IntakeHandler(
            settings=settings, directory=runtime.directory, intake=lambda: app.state.intake
        )
        app.state.smtp = SmtpListener(handler, settings)
        await app.state.smtp.start()


async def _shutdown(app: FastAPI, runtime: Runtime) -> None:
    if app.state.smtp is not None:
        await app.state.smtp.stop()


def create_app(
    settings: IntakeSettings | None = None, *, publisher: Publisher | None = None, run_consumers: bool = True
) -> FastAPI:
    settings = settings or IntakeSettings()
    return build_app(
        settings,
        title="Lotsen intake",
        description=(
            "Receives contacts from every channel (web forms, e-mail over HTTP and SMTP, Messenger, "
            "phone events, manual registration) and publishes them on contacts.received / calls.events."
        ),
        routers=[
            webform.router,
            email_routes.router,
            facebook.router,
            phone.router,
            manual.router,
            attachments.router,
            open311_routes.georeport,
            open311_routes.key_admin,
        ],
        direct_routes=[webform.DIRECT_ROUTE],
        startup=_startup,
        shutdown=_shutdown,
        database="lotsen_intake",
        publisher=publisher,
        run_consumers=run_consumers,
    )
