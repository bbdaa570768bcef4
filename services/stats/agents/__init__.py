"""Per handläggare (per agent): each agent's own figures for their coaching, and their team's.

Östersund follows up "på individ-, grupp- och övergripande nivå" every week. These figures name
staff, so they are kept apart from the organisation's figures: per-agent cells per organisation and
local day in a collection of their own (``agent_days``), derived from the same per-call and per-case
state, deleted after ``STATS_AGENT_FIGURES_RETENTION_DAYS`` by a job that runs on one replica at a
time, and never in the tertial report. Definitions: docs/figures.md, *Per handläggare (per agent)*;
who keeps what and for how long: docs/security.md.

- :mod:`.cells` — what one call or case puts into its day's per-agent cells, and the figures;
- :mod:`.aggregate` — re-deriving dirty days into ``agent_days``;
- :mod:`.retention` — deleting what is older than the retention, and erasing one agent;
- :mod:`.access` — who reads whose figures; :mod:`.api` — the routes; :mod:`.setup` — start-up.
"""
