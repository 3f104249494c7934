"""Outcome statistics: ended courses per site, jobcentre or target group against the model's goal."""
