"""The ids of handled events are forgotten after a while, never while Kafka could redeliver them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from lotsen.mongo import MongoDeduplicator
from lotsen.settings import ServiceSettings


async def test_handled_event_ids_expire_by_a_ttl_index_longer_than_the_brokers_retention(
    mongo_db: Any,
) -> None:
    settings = ServiceSettings(env="dev")
    ttl_seconds = round(settings.processed_events_ttl_days * 86400)
    assert ttl_seconds > 7 * 86400, "longer than Kafka's default retention.ms (7 days)"
    dedupe = MongoDeduplicator(mongo_db, "lotsen-casestore", ttl_seconds=ttl_seconds)
    await dedupe.ensure_indexes()
    await dedupe.ensure_indexes()  # every start-up makes sure again; an existing index is kept

    indexes = await mongo_db["processed_events.lotsen-casestore"].index_information()
    [ttl] = [index for index in indexes.values() if index.get("expireAfterSeconds") is not None]
    assert ttl["key"] == [("handled_at", 1)]
    assert ttl["expireAfterSeconds"] == 14 * 86400

    before = datetime.now(UTC)
    await dedupe.remember("6f6b2c1e-0000-4000-8000-000000000001")
    assert await dedupe.seen("6f6b2c1e-0000-4000-8000-000000000001")
    stored = await mongo_db["processed_events.lotsen-casestore"].find_one(
        {"_id": "6f6b2c1e-0000-4000-8000-000000000001"}
    )
    handled_at = stored["handled_at"]
    assert before - timedelta(seconds=1) <= handled_at.astimezone(UTC) <= datetime.now(UTC)


async def test_a_batch_of_event_ids_is_looked_up_and_remembered_at_once_repeats_included(
    mongo_db: Any,
) -> None:
    dedupe = MongoDeduplicator(mongo_db, "lotsen-routing", ttl_seconds=86400)
    await dedupe.ensure_indexes()
    await dedupe.remember("id-1")

    assert await dedupe.seen_among(["id-1", "id-2", "id-3"]) == {"id-1"}
    await dedupe.remember_all(["id-2", "id-1", "id-3", "id-2"])  # id-1 was remembered before: no error

    assert await dedupe.seen_among(["id-1", "id-2", "id-3", "id-4"]) == {"id-1", "id-2", "id-3"}
    assert await mongo_db["processed_events.lotsen-routing"].count_documents({}) == 3
