"""The knowledge bank's history and crisis notices as stored (:mod:`.repository`)."""
