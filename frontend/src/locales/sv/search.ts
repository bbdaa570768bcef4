/** Case search: where in a case the words were found, as the queue shows it under the subject. */
export const search = {
  "search.foundIn": "Hittat i {field}:",
  "search.field.subject": "ämnet",
  "search.field.message": "invånarens meddelande",
  "search.field.sender": "avsändaren",
  "search.field.reference": "ärendenumret",
  "search.field.reply": "vårt svar",
  "search.field.attachment": "en bilaga",
  "search.field.note": "en intern anteckning",
  "search.confidential": "Sekretessärende: öppna ärendet för att läsa texten (läsningen loggas).",
};
