"""Lotsen's shared library: event contracts and the Kafka, MongoDB, auth and telemetry plumbing.

Services import from here and never from each other.
"""
