/** Where an errand is (Plats): address, coordinates, map link and photo link on the case page. */
export const position = {
  "position.title": "Plats",
  "position.address": "Adress eller plats",
  "position.wgs84": "WGS 84",
  "position.latLon": "{lat} N, {lon} E",
  "position.sweref99tm": "SWEREF 99 TM",
  "position.northingEasting": "N {northing}, E {easting}",
  "position.outsideSweref": "Utanför SWEREF 99 TM:s område",
  "position.showOnMap": "Visa platsen på OpenStreetMap (öppnas i ny flik)",
  "position.openPhoto": "Öppna avsändarens foto (öppnas i ny flik)",
  "position.photoHint": "Länk till {host}, som Lotsen inte granskat",
  "timeline.position_corrected": "Plats rättad",
};
