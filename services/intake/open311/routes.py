"""The Open311 routes of intake: the GeoReport v2 endpoints under ``/open311/v2/`` and the key
administration under ``/v1/open311/keys``."""

from __future__ import annotations

from services.intake.open311 import catalogue, keys, reads, submit

georeport = catalogue.router  # services (catalogue), requests (submit, reads), tokens (reads)
key_admin = keys.router
__all__ = ["georeport", "key_admin", "reads", "submit"]
