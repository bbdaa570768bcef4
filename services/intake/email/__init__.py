"""E-mail into intake: the parser, the SMTP listener and POST /v1/contacts/email share one path."""
