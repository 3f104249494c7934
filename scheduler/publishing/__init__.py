"""Publishing numbered versions and what reads them: feeds, PDF ugeskemaer, secret links."""
