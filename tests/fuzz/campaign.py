"""The schema fuzzer: every operation of a service's OpenAPI, as every role, checked for 5xx and
for answers that break their own schema.

``fuzz_service`` is used by the short run in ``make test`` (few examples, derandomised so CI is
repeatable) and by ``make fuzz`` (many examples, random, results written to docs/reliability.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import httpx
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from lotsen.auth import ROLES, issue_token
from lotsen.settings import DEMO_CONNECTOR_KEY, ServiceSettings

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def examples_per_operation() -> int:
    return int(os.environ.get("LOTSEN_FUZZ_EXAMPLES", "6"))


def randomised() -> bool:
    return os.environ.get("LOTSEN_FUZZ_RANDOM", "") == "1"


def role_headers() -> dict[str, dict[str, str]]:
    """What each caller sends: a bearer token per staff role, the connector key, or nothing."""
    dev = ServiceSettings(env="dev")
    callers: dict[str, dict[str, str]] = {
        "anonymous": {},
        "connector": {"X-Connector-Key": DEMO_CONNECTOR_KEY},
    }
    for role in ROLES:
        departments = ("samhallsbyggnad", "skola") if role == "handler" else ()
        token = issue_token(dev, subject=f"fuzz-{role}", role=role, departments=departments)
        callers[role] = {"Authorization": f"Bearer {token}"}
    return callers


@dataclass
class OperationResult:
    operation: str
    examples: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass
class ServiceResult:
    service: str
    operations: list[OperationResult] = field(default_factory=list)

    @property
    def examples(self) -> int:
        return sum(o.examples for o in self.operations)

    @property
    def failures(self) -> list[str]:
        return [f"{o.operation}: {f}" for o in self.operations for f in o.failures]


def load_schema(base_url: str) -> Any:
    spec = httpx.get(f"{base_url}/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(spec)
    schema.config.update(base_url=base_url)  # type: ignore[no-untyped-call]
    return schema


def fuzz_service(service: str, base_url: str) -> ServiceResult:
    schema = load_schema(base_url)
    callers = role_headers()
    session = requests.Session()
    result = ServiceResult(service)
    for outcome in schema.get_all_operations():
        operation = outcome.ok()
        tally = OperationResult(operation.label)
        result.operations.append(tally)
        fuzz_operation(operation, base_url, callers, session, tally)
    return result


def fuzz_operation(
    operation: Any,
    base_url: str,
    callers: dict[str, dict[str, str]],
    session: requests.Session,
    tally: OperationResult,
) -> None:
    @settings(
        max_examples=examples_per_operation(),
        derandomize=not randomised(),
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if randomised() else [])],
        print_blob=False,
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        tally.examples += 1
        for caller, headers in callers.items():
            response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except Exception as exc:
                raise AssertionError(f"as {caller}: {exc}") from exc

    try:
        run()
    except Exception as exc:  # one failure per operation is enough to report; hypothesis found it
        tally.failures.append(str(exc).strip().splitlines()[0][:500] + "\n" + str(exc)[:3000])


@schemathesis.serializer("message/rfc822")
def raw_message(context: Any, value: Any) -> bytes:
    """intake's e-mail endpoint takes the message as it was delivered: bytes, sent as they are."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogateescape")
