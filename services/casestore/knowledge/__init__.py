"""The knowledge bank (articles, their history and review dates) and crisis notices: the API, the
access rules, the scheduler, and how they are stored (:mod:`.repository`)."""
