/** The dashboard's category × handled-by table, and what a department handler's figures cover. */
export const handling = {
  "handling.title": "Kategori × hanterad av",
  "handling.caption": "Ärenden per kategori: vem som hanterade dem, flest hos förvaltningarna först",
  "handling.loading": "Hämtar …",
  "handling.summary": "Förvaltningarna hanterade {department} och första linjen löste {firstLine} av {cases} ärenden.",
  "handling.category": "Kategori",
  "handling.noCategory": "Utan kategori",
  "handling.cases": "Ärenden",
  "handling.routedFirstLine": "Dirigerade till första linjen",
  "handling.routedDepartment": "Dirigerade till förvaltning",
  "handling.resolvedFirstLine": "Lösta i första linjen",
  "handling.handledByDepartment": "Hanterade av förvaltning",
  "handling.handedOff": "varav överlämnade från första linjen",
  "handling.pending": "Pågående",
  "handling.rate": "Lösningsgrad",
  "handling.explain":
    "Dirigerade: vart routningen skickade ärendet. Hanterade av förvaltning: skickade direkt till förvaltningen, överlämnade eller lösta av någon annan än första linjen. Frågor som kommer ofta och hanteras av förvaltningarna kan bli kontaktcenterns uppdrag.",
  "handling.scope": "Siffrorna gäller ärendena hos dina förvaltningar: {departments}.",
  "handling.noTelephony": "Telefonin redovisas per svarsgrupp och inte per förvaltning, så den visas inte här.",
};
