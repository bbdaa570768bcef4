/** The receipt of an errand: reference and access code for a citizen who phoned, visited or wrote. */
export const receipts = {
  "register.receiptWaiting": "Ärendet skapas …",
  "register.receiptLate": "Ärendet är inte skapat än. Det syns i kön om en stund; kvittot kan skrivas ut från adressen /arbetsyta/kvitto/<referensnummer>.",
  "register.receiptReady": "Ärendet {ref} är skapat. Koden är {code}.",
  "register.receiptHeading": "Kvitto till medborgaren",
  "register.receiptLead": "Läs upp referensnumret och koden, eller skriv ut kvittot. Med dem följer medborgaren ärendet på webben och svarar på vår enkät.",
  "register.receiptPrint": "Skriv ut kvitto",
  "register.receiptCase": "Öppna ärendet {ref}",

  "receipt.title": "Kvitto för ärende {ref}",
  "receipt.lead": "Skriv ut kvittot och ge det till medborgaren, eller skicka det med brevsvaret.",
  "receipt.language": "Kvittots språk",
  "receipt.languageName": "Svenska",
  "receipt.print": "Skriv ut",
  "receipt.heading": "Kvitto på ditt ärende",
  "receipt.intro": "Vi har tagit emot ditt ärende.",
  "receipt.reference": "Referensnummer",
  "receipt.code": "Kod",
  "receipt.received": "Mottaget",
  "receipt.follow": "Följ ditt ärende på webben med referensnumret och koden:",
  "receipt.survey": "När ärendet är besvarat kan du där också berätta hur nöjd du är med vår hantering.",
  "receipt.keep": "Spara kvittot. Koden är personlig: ge den inte till någon annan.",
};
