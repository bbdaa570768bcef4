"""The staff directory (*personalkatalog*) and the switchboard's transfers (*växel*)."""
