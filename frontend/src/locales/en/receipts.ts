import type { receipts as sv } from "../sv/receipts";

/** The receipt of an errand: reference and access code for a citizen who phoned, visited or wrote. */
export const receipts: Record<keyof typeof sv, string> = {
  "register.receiptWaiting": "Creating the case …",
  "register.receiptLate": "The case has not been created yet. It appears in the queue in a moment; the receipt can be printed from the address /arbetsyta/kvitto/<reference number>.",
  "register.receiptReady": "Case {ref} has been created. The code is {code}.",
  "register.receiptHeading": "Receipt for the citizen",
  "register.receiptLead": "Read out the reference number and the code, or print the receipt. With them the citizen follows the errand on the web and answers our survey.",
  "register.receiptPrint": "Print receipt",
  "register.noSurvey": "Does not want the survey",
  "register.noSurveyHint": "The citizen does not want to be asked what they thought of our service when the errand is resolved.",
  "register.receiptCase": "Open case {ref}",

  "receipt.title": "Receipt for case {ref}",
  "receipt.lead": "Print the receipt and give it to the citizen, or send it with the reply letter.",
  "receipt.language": "Language of the receipt",
  "receipt.languageName": "English",
  "receipt.print": "Print",
  "receipt.heading": "Receipt for your errand",
  "receipt.intro": "We have received your errand.",
  "receipt.reference": "Reference number",
  "receipt.code": "Code",
  "receipt.received": "Received",
  "receipt.follow": "Follow your errand on the web with the reference number and the code:",
  "receipt.survey": "Once your errand has been answered, you can also tell us there how satisfied you are with how we handled it.",
  "receipt.keep": "Keep this receipt. The code is personal: do not give it to anyone else.",
};
