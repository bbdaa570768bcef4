"""Map tiles made on this machine, for the fault-report map without the internet.

The browser tests, the README's screenshots and ``make run LOTSEN_DEV_TILES=1`` use them instead of
OpenStreetMap's tile servers: ``/dev-tiles/{z}/{x}/{y}.png`` is a plain 256×256 PNG (a light
chequerboard with grid lines, so a pan or a zoom can be seen), and ``/map-settings.json`` tells the
web app to ask for them. The web app's own default stays OpenStreetMap (docs/open311.md, "Map tiles").
"""

from __future__ import annotations

import functools
import struct
import zlib

TILE_SIZE = 256
MAX_ZOOM = 19
TILE_URL = "/dev-tiles/{z}/{x}/{y}.png"
SETTINGS = {"tileUrl": TILE_URL, "attribution": "Testkarta, ingen riktig karta", "maxZoom": MAX_ZOOM}

# Two shades of a pale green-grey, and the grid line: colours of a quiet base map.
_SHADES = ((0xE8, 0xEE, 0xE4), (0xDE, 0xE6, 0xDA))
_LINE = (0xB4, 0xC0, 0xB0)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


@functools.cache
def _png(shade: int) -> bytes:
    # Grid lines at the tile's edges and every quarter of it, like blocks of a town plan.
    def on_line(i: int) -> bool:
        return i % (TILE_SIZE // 4) == 0 or i == TILE_SIZE - 1

    fill, line = bytes(_SHADES[shade]), bytes(_LINE)
    inner = b"".join(line if on_line(x) else fill for x in range(TILE_SIZE))
    edge = line * TILE_SIZE
    rows = [b"\x00" + (edge if on_line(y) else inner) for y in range(TILE_SIZE)]
    header = struct.pack(">IIBBBBB", TILE_SIZE, TILE_SIZE, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def tile(z: int, x: int, y: int) -> bytes | None:
    """The PNG of one tile, or None when (z, x, y) is not a tile of the Web Mercator grid."""
    if not 0 <= z <= MAX_ZOOM or not (0 <= x < 2**z and 0 <= y < 2**z):
        return None
    return _png((x + y) % 2)
