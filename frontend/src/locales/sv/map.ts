/** The fault report's map: the pin, the address field and what is said when the map cannot be shown. */
export const map = {
  "map.address": "Adress eller plats",
  "map.addressHint": "Till exempel ”Skolgatan 7” eller ”gångvägen bakom Bregårdsskolan”.",
  "map.label": "Karta för att visa var felet finns",
  "map.hint": "Klicka eller tryck på kartan där felet finns, så sätts en nål. Du kan dra nålen. Med tangentbordet: flytta kartan med piltangenterna och välj ”Sätt nålen här”.",
  "map.placeHere": "Sätt nålen här",
  "map.pin": "Nål där felet finns",
  "map.pinPlaced": "Nålen är satt. Latitud och longitud är ifyllda.",
  "map.loading": "Kartan laddas …",
  "map.unavailable": "Kartan kunde inte laddas. Skriv adressen eller koordinaterna i fälten i stället.",
  "map.coordinates": "Koordinater (följer nålen)",
  "map.zoomIn": "Zooma in",
  "map.zoomOut": "Zooma ut",
};
