"""The development gateway's own map tiles: served only when asked for, valid PNGs of the Web
Mercator grid, and the web app's map settings pointing at them; OpenStreetMap stays allowed by the CSP."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from lotsen.devserver.gateway import create_app
from tests.helpers import running


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<!doctype html><title>Lotsen</title>")
    return tmp_path


@pytest.fixture
async def with_tiles(dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app({}, dist, dev_tiles=True)) as client:
        yield client


async def test_a_tile_is_a_256_pixel_png(with_tiles: httpx.AsyncClient) -> None:
    response = await with_tiles.get("/dev-tiles/13/4426/2387.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", response.content[16:24])
    assert (width, height) == (256, 256)


@pytest.mark.parametrize(
    "path", ["/dev-tiles/2/4/0.png", "/dev-tiles/20/0/0.png", "/dev-tiles/a/0/0.png", "/dev-tiles/1/0.png"]
)
async def test_what_is_not_a_tile_is_a_404(with_tiles: httpx.AsyncClient, path: str) -> None:
    response = await with_tiles.get(path)
    assert response.status_code == 404
    assert "not a tile" in response.json()["error"]["message"]


async def test_the_map_settings_point_the_web_app_at_the_tiles(with_tiles: httpx.AsyncClient) -> None:
    settings = (await with_tiles.get("/map-settings.json")).json()
    assert settings["tileUrl"] == "/dev-tiles/{z}/{x}/{y}.png"
    assert settings["attribution"]


async def test_without_the_setting_there_are_no_tiles_and_osm_is_allowed(dist: Path) -> None:
    async with running(create_app({}, dist)) as client:
        response = await client.get("/dev-tiles/13/4426/2387.png")
        # An unknown path of the web app: index.html, the app says the page does not exist.
        assert response.headers["content-type"].startswith("text/html")
        assert (
            "img-src 'self' data: blob: https://tile.openstreetmap.org;"
            in response.headers["content-security-policy"]
        )
