import type { recategorise as sv } from "../sv/recategorise";

/** Correcting a case's category (Change category) and how the timeline shows it. */
export const recategorise: Record<keyof typeof sv, string> = {
  "recategorise.title": "Change category",
  "recategorise.lead": "Correct a misclassified errand. The department and answer group follow the new category, and the statistics count the errand there from now on.",
  "recategorise.category": "New category",
  "recategorise.choose": "Choose a category",
  "recategorise.belongsTo": "Belongs to {department}",
  "recategorise.firstLine": "Belongs to no department",
  "recategorise.confidential": "The category is confidential: the errand will be marked confidential.",
  "recategorise.reason": "Why does the category change?",
  "recategorise.reasonHint": "Shown in the errand's history.",
  "recategorise.categoryMissing": "Choose the category the errand should have",
  "recategorise.reasonMissing": "Say why the category changes",
  "recategorise.same": "The errand already has that category",
  "recategorise.handlerHint": "You can move errands within your departments. If the errand belongs to another department, return it to first line.",
  "recategorise.submit": "Change category",
  "recategorise.done": "The category is now {category}",
  "recategorise.outOfView": "{ref} was changed to {category} and is now confidential. You can no longer see the errand.",
  "recategorise.toQueues": "To the errands",
  "timeline.recategorised": "Category changed",
  "timeline.confidentiality_lifted": "Confidentiality marking removed",
  "timeline.becameConfidential": "now confidential",
};
