import type { map as sv } from "../sv/map";

/** The fault report's map: the pin, the address field and what is said when the map cannot be shown. */
export const map: Record<keyof typeof sv, string> = {
  "map.address": "Address or place",
  "map.addressHint": "For example “Skolgatan 7” or “the footpath behind Bregårdsskolan”.",
  "map.label": "Map to show where the fault is",
  "map.hint": "Click or tap the map where the fault is to place a pin. You can drag the pin. With the keyboard: move the map with the arrow keys and choose “Place the pin here”.",
  "map.placeHere": "Place the pin here",
  "map.pin": "Pin where the fault is",
  "map.pinPlaced": "The pin is placed. Latitude and longitude are filled in.",
  "map.loading": "Loading the map …",
  "map.unavailable": "The map could not be loaded. Type the address or the coordinates in the fields instead.",
  "map.coordinates": "Coordinates (follow the pin)",
  "map.zoomIn": "Zoom in",
  "map.zoomOut": "Zoom out",
};
