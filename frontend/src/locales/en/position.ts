import type { position as sv } from "../sv/position";

/** Where an errand is (Place): address, coordinates, map link and photo link on the case page. */
export const position: Record<keyof typeof sv, string> = {
  "position.title": "Place",
  "position.address": "Address or place",
  "position.wgs84": "WGS 84",
  "position.latLon": "{lat} N, {lon} E",
  "position.sweref99tm": "SWEREF 99 TM",
  "position.northingEasting": "N {northing}, E {easting}",
  "position.outsideSweref": "Outside the SWEREF 99 TM area",
  "position.showOnMap": "Show the place on OpenStreetMap (opens in a new tab)",
  "position.openPhoto": "Open the sender's photo (opens in a new tab)",
  "position.photoHint": "A link to {host}, not checked by Lotsen",
  "timeline.position_corrected": "Place corrected",
};
