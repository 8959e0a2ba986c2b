"""``sprint cohort``: a mentor's view of many learners' repositories.

Layered like the sync (pure core, then effects):

* :mod:`.config` — ``cohort.yaml`` → a validated cohort (file:line problems, nothing read);
* :mod:`.queries` — pure: the batched GraphQL documents and what the answers mean;
* :mod:`.reader` — effects: the read through the GitHub transport, cold or warm, resumable;
* :mod:`.store` — the SQLite cache of earlier looks (``.sprint/cohort.db`` beside the cohort file);
* :mod:`.model`, :mod:`.stats`, :mod:`.diff` — pure: the table, who is behind, metric distributions,
  what changed since the last look; :mod:`.text` renders them for a terminal;
* :mod:`.look` — opens everything and runs one look (the CLI and the dashboard call it).
"""
