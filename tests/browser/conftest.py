"""Browser tests: Debian's Chromium driven by Playwright against the real services behind the gateway.

They skip cleanly when ``/usr/bin/chromium`` or the built app (``frontend/dist``) is missing: ``make
test`` installs the first (as root) and builds the second. No browser is ever downloaded.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from lotsen.devserver.gateway import Gateway
from lotsen.devserver.stack import Stack
from tests.browser.system import AXE, CHROMIUM, CHROMIUM_ARGS, DIST, running_gateway

try:
    from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect
except ImportError:  # pragma: no cover - the dev extra installs it
    async_playwright = None

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "lotsen-demo"
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


def _missing() -> str | None:
    if async_playwright is None:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.is_file() and not shutil.which(str(CHROMIUM)):
        return f"{CHROMIUM} is missing (apt-get install chromium, or `make browser` as root)"
    if not (DIST / "index.html").is_file():
        return "frontend/dist is not built (make frontend)"
    if not AXE.is_file():
        return "frontend/node_modules/axe-core is not installed (make frontend)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing()
    if reason is None:
        return
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
async def gateway(stack: Stack) -> AsyncIterator[Gateway]:
    async with running_gateway(stack) as running:
        yield running


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    assert async_playwright is not None
    expect.set_options(timeout=20_000)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@dataclass
class Visit:
    """A browser context of one person, with the page errors it saw."""

    context: BrowserContext
    page: Page
    base: str
    errors: list[str] = field(default_factory=list)

    async def goto(self, path: str) -> None:
        await self.page.goto(self.base + path)


@pytest.fixture
async def visit(browser: Browser, gateway: Gateway) -> AsyncIterator[Callable[..., Any]]:
    """``await visit()`` opens a fresh browser context (a new person) on the gateway."""
    opened: list[Visit] = []

    async def open_visit(*, language: str | None = None) -> Visit:
        context = await browser.new_context(
            base_url=gateway.url,
            locale="sv-SE",
            timezone_id="Europe/Stockholm",
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
            bypass_csp=True,  # lets axe-core be injected; the app itself runs under the CSP of the gateway
        )
        if language:
            await context.add_init_script(f"localStorage.setItem('lotsen.language', {json.dumps(language)})")
        page = await context.new_page()
        v = Visit(context, page, gateway.url)
        page.on("pageerror", lambda error: v.errors.append(str(error)))
        opened.append(v)
        return v

    yield open_visit
    for v in opened:
        await v.context.close()
    errors = [e for v in opened for e in v.errors]
    assert not errors, f"uncaught errors in the page: {errors}"


async def log_in(v: Visit, username: str) -> None:
    await v.goto("/arbetsyta/logga-in")
    await v.page.get_by_label("Användarnamn").fill(username)
    await v.page.get_by_label("Lösenord").fill(PASSWORD)
    await v.page.get_by_role("button", name="Logga in").click()
    await expect(v.page.get_by_text(f"Inloggad som {username}")).to_be_visible()


async def assert_accessible(page: Page, what: str) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(AXE_RUN, WCAG_TAGS)
    assert result == [], f"axe found violations on {what}: {json.dumps(result, indent=1, ensure_ascii=False)}"


@pytest.fixture
def api(gateway: Gateway) -> Iterator[Callable[..., Any]]:
    """``async with api() as client`` — an HTTP client on the gateway, as another system would call it."""

    def make(token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=gateway.url, headers=headers, timeout=15)

    yield make


async def token_of(client: httpx.AsyncClient, username: str) -> str:
    response = await client.post("/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])
