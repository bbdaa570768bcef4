/**
 * The Leaflet part of the fault report's map, loaded only when that page opens (FaultMap.tsx imports
 * it dynamically): a tile layer, a draggable pin, and clicks or taps that place it.
 */
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import iconRetinaUrl from "leaflet/dist/images/marker-icon-2x.png";
import iconUrl from "leaflet/dist/images/marker-icon.png";
import shadowUrl from "leaflet/dist/images/marker-shadow.png";
import type { MapSettings } from "./mapSettings";

export interface PinMapTexts {
  pin: string;
  zoomIn: string;
  zoomOut: string;
}

export interface PinMapEvents {
  /** The citizen put the pin here (a click, a tap or a drag). */
  place: (lat: number, lon: number) => void;
  /** Whether tiles show: false when the first ones failed and none has loaded. */
  tiles: (showing: boolean) => void;
}

export interface PinMap {
  /** Moves (or puts) the pin, and the map to it when it is out of view. */
  setPin: (lat: number, lon: number) => void;
  clearPin: () => void;
  centre: () => [number, number];
  destroy: () => void;
}

// Leaflet's own marker pictures, bundled by Vite (Leaflet's path guessing does not survive bundling).
const PIN = L.icon({ iconUrl, iconRetinaUrl, shadowUrl, iconSize: [25, 41], iconAnchor: [12, 41], shadowSize: [41, 41] });

export function createPinMap(element: HTMLElement, settings: MapSettings, texts: PinMapTexts, on: PinMapEvents): PinMap {
  const map = L.map(element, {
    center: settings.center,
    zoom: Math.min(settings.zoom, settings.maxZoom),
    maxZoom: settings.maxZoom,
    zoomControl: false,
    scrollWheelZoom: false, // the page scrolls past the map; the buttons, +/- and a pinch zoom
  });
  L.control.zoom({ zoomInTitle: texts.zoomIn, zoomOutTitle: texts.zoomOut }).addTo(map);
  const tiles = L.tileLayer(settings.tileUrl, { attribution: settings.attribution, maxZoom: settings.maxZoom });
  let loaded = false;
  tiles.on("tileload", () => {
    if (!loaded) on.tiles(true);
    loaded = true;
  });
  tiles.on("tileerror", () => {
    if (!loaded) on.tiles(false);
  });
  tiles.addTo(map);

  let pin: L.Marker | null = null;
  const put = (latlng: L.LatLng) => {
    const at = latlng.wrap();
    on.place(at.lat, at.lng);
  };
  map.on("click", (event: L.LeafletMouseEvent) => put(event.latlng));

  return {
    setPin(lat, lon) {
      const at = L.latLng(lat, lon);
      if (pin) pin.setLatLng(at);
      else {
        pin = L.marker(at, { icon: PIN, draggable: true, autoPan: true, alt: texts.pin, title: texts.pin }).addTo(map);
        pin.on("dragend", () => pin && put(pin.getLatLng()));
      }
      if (!map.getBounds().contains(at)) map.panTo(at);
    },
    clearPin() {
      pin?.remove();
      pin = null;
    },
    centre() {
      const at = map.getCenter().wrap();
      return [at.lat, at.lng];
    },
    destroy() {
      map.remove();
    },
  };
}
