"""Public records (allmänna handlingar): diary numbers, registrations and the diary export."""
