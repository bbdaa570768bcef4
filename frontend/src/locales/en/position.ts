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
  "position.correct": "Correct the place",
  "position.lat": "Latitude (WGS 84)",
  "position.lon": "Longitude (WGS 84)",
  "position.degreesHint": "Decimal degrees, e.g. 59.3267 and 14.5236. Leave both empty to remove the point.",
  "position.latInvalid": "Write the latitude in decimal degrees between -90 and 90",
  "position.lonInvalid": "Write the longitude in decimal degrees between -180 and 180",
  "position.reason": "Why is the place corrected?",
  "position.reasonHint": "Optional. Shown in the errand's history, but not the place itself.",
  "position.save": "Save the place",
  "position.corrected": "The place is corrected",
  "timeline.position_corrected": "Place corrected",
};
