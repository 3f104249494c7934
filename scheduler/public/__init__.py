"""Pages reached through secret links (no login): calendar feeds, the citizen's page, PDF ugeskemaer."""
