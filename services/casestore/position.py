"""A case's position: where the errand is (a fault report's pothole, a broken street light).

Kept on the case as ``position`` from the contact that opened it: WGS 84 latitude and longitude as
the citizen's phone or map gave them, the same point in SWEREF 99 TM (EPSG:3006, the national grid the
municipality's map and asset systems use) converted with PROJ through :mod:`pyproj`, the address or
place as written, and the link to a photo (``media_url``). A point outside SWEREF 99 TM's area of use
(Sweden on land and at sea, as EPSG records it) keeps its WGS 84 coordinates and has no SWEREF 99 TM
ones: the projection is not defined for it and a municipal system could not use them.

WGS 84 and SWEREF 99 (the Swedish realisation of ETRS89) differ by less than a metre, well within what a
phone's position is good for, so the conversion treats them as one datum (EPSG's own transformation
between them, accuracy 1 m). Northing and easting are kept to the millimetre, which loses nothing of
the input; the point is only as good as the citizen's device or pin.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from pyproj import CRS, Transformer

from lotsen.contracts.contacts import ContactReceivedData
from services.casestore.repository import Document

WGS84 = "EPSG:4326"
SWEREF99TM = "EPSG:3006"
GRID_DECIMALS = 3  # millimetres


@cache
def _transformer() -> Transformer:
    """Built once: PROJ looks the operation up in its database, which takes milliseconds."""
    return Transformer.from_crs(WGS84, SWEREF99TM, always_xy=True)


@cache
def sweref99tm_area() -> tuple[float, float, float, float]:
    """SWEREF 99 TM's area of use as EPSG records it: (west, south, east, north) in degrees."""
    area = CRS(SWEREF99TM).area_of_use
    assert area is not None, "EPSG:3006 has an area of use"
    return area.west, area.south, area.east, area.north


def to_sweref99tm(lat: float, lon: float) -> dict[str, float] | None:
    """``{northing, easting}`` in metres, or None outside SWEREF 99 TM's area of use."""
    west, south, east, north = sweref99tm_area()
    if not (south <= lat <= north and west <= lon <= east):
        return None
    easting, northing = _transformer().transform(lon, lat)
    return {"northing": round(northing, GRID_DECIMALS), "easting": round(easting, GRID_DECIMALS)}


def linkable(url: str | None) -> str | None:
    """A photo link staff may open: http or https with a host; anything else (``javascript:``,
    ``data:``, a bare path) is not kept, so the case page never offers it."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def of_contact(contact: ContactReceivedData) -> Document | None:
    """The position a contact gives, or None when it gives none."""
    location, address, media_url = contact.location, contact.address, linkable(contact.media_url)
    if location is None and not address and not media_url:
        return None
    return position(
        lat=location.lat if location else None,
        lon=location.lon if location else None,
        address=address or None,
        media_url=media_url,
    )


def position(*, lat: float | None, lon: float | None, address: str | None, media_url: str | None) -> Document:
    if lat is None or lon is None:
        lat = lon = None
    return {
        "lat": lat,
        "lon": lon,
        "sweref99tm": None if lat is None or lon is None else to_sweref99tm(lat, lon),
        "address": address,
        "media_url": media_url,
    }
