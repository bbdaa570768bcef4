"""Kafka plumbing: publisher, consumer runner, the in-memory bus and the embedded broker harness."""

from lotsen.kafka.processing import Deduplicator, Handler, RetryLater
from lotsen.kafka.publisher import KafkaPublisher, Publisher, PublishFailed

__all__ = ["Deduplicator", "Handler", "KafkaPublisher", "PublishFailed", "Publisher", "RetryLater"]
