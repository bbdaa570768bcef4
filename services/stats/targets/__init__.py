"""Targets (mål) per organisation and per answer group: stored (:mod:`.repository`), set and read
through the API (:mod:`.api`, :mod:`.service`), and looked up by the figures (:mod:`.model`,
:mod:`.figures`). Definitions: docs/figures.md, *Mål per organisation och svarsgrupp*."""
