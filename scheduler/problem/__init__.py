"""Database → `solver.Problem`: this week's demand, people, rooms and calendars as plain data."""
