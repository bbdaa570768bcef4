"""A ruleset activated over HTTP decides the next contact without a restart; the old one stays readable."""

from __future__ import annotations

import uuid

import httpx
import pytest

from lotsen.devserver.stack import Stack
from tests.helpers import demo_login, eventually

pytestmark = pytest.mark.integration


async def test_a_new_ruleset_decides_the_next_contact_without_a_restart(stack: Stack) -> None:
    marker = uuid.uuid4().hex[:10]
    partner = f"partner-{marker}.se"
    async with httpx.AsyncClient(timeout=10) as client:
        admin = await demo_login(client, stack, "admin")
        rules_url = f"{stack.url('routing')}/v1/rules"
        before = (await client.get(rules_url, headers=admin)).json()

        refused = await client.put(
            rules_url, headers=admin, json={"rules": [{"id": "fel", "actions": {"department": "kulturr"}}]}
        )
        assert refused.status_code == 422
        assert refused.json()["error"]["details"][0]["field"] == "actions.department"

        # Mail from this partner is about the library's e-books, whatever words it uses.
        rule = {
            "id": f"partner-{marker}",
            "conditions": {"sender": f"@{partner}"},
            "actions": {"category": "bibliotek", "priority": "low"},
        }
        put = await client.put(
            rules_url, headers=admin, json={"rules": [rule, *before["rules"]], "comment": f"test {marker}"}
        )
        assert put.status_code == 201, put.text
        version = put.json()["version"]
        assert version == before["version"] + 1

        posted = await client.post(
            f"{stack.url('intake')}/v1/contacts/webform",
            headers={"X-Connector-Key": "dev-connector-key"},
            json={
                "form_id": "kontakta-oss",
                "organization": "karlskoga",
                "name": "Leverantör",
                "email": f"kundtjanst@{partner}",
                "subject": f"Bygglov för altan {marker}",
                "message": "Behöver jag bygglov för en altan på 25 kvm?",
            },
        )
        assert posted.status_code == 202, posted.text

        async def our_case() -> dict[str, object] | None:
            page = (await client.get(f"{stack.url('casestore')}/v1/cases", headers=admin)).json()
            return next((c for c in page["items"] if marker in (c["subject"] or "")), None)

        case = await eventually(our_case)
        # Without the new rule the classifier would have said bygglov at samhällsbyggnad.
        assert (case["category"], case["department"], case["handled_by"]) == (
            "bibliotek",
            "kultur",
            "first_line",
        )

        old = await client.get(f"{rules_url}/versions/{before['version']}", headers=admin)
        assert old.status_code == 200 and old.json()["rules"] == before["rules"]
        history = (await client.get(f"{rules_url}/versions", headers=admin)).json()
        assert history["active_version"] == version

        # Put the rules back as they were (a new version again), so other tests see the usual rules.
        restored = await client.put(
            rules_url,
            headers=admin,
            json={"rules": before["rules"], "comment": "back to the rules before the test"},
        )
        assert restored.status_code == 201
