import type { targets as sv } from "../sv/targets";

/** Targets per organisation and answer group: the admin form and the dashboard's table per organisation. */
export const targets: Record<keyof typeof sv, string> = {
  "targets.title": "Targets",
  "targets.lead": "Each organisation can have its own targets, and each answer group within it. An empty field follows the level above: answer group, organisation, the system's default.",
  "targets.organizationLevel": "All of {organization}",
  "targets.groupLevel": "Answer group {group}",
  "targets.field.answer_rate": "Answer rate (%)",
  "targets.field.service_level": "Service level (%)",
  "targets.field.email_response": "E-mail answered within 48 hours (%)",
  "targets.field.resolution": "First-line resolution (%)",
  "targets.field.bemotande": "Satisfaction, treatment (1–5)",
  "targets.field.kunskap": "Satisfaction, knowledge (1–5)",
  "targets.field.tillganglighet": "Satisfaction, accessibility (1–5)",
  "targets.otherwise": "Empty: {value}",
  "targets.noTarget": "Empty: no target",
  "targets.percentInvalid": "Enter a share between 0 and 100 per cent",
  "targets.scoreInvalid": "Enter a score between 1 and 5",
  "targets.save": "Save targets",
  "targets.saved": "The targets of {organization} are saved",
  "targets.perOrganization": "Each organisation against its own targets",
  "targets.perOrganizationHint": "The organisations have different targets, so each one's outcome is shown against its own.",
  "targets.answerRate": "Answer rate",
  "targets.serviceLevel": "Service level",
  "targets.emailResponse": "E-mail within 48 h",
  "targets.resolution": "Resolution",
};
