"""``make run``: the whole system on one machine with the embedded default."""
