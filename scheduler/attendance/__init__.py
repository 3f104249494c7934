"""Attendance: what happened at published appointments (selectors.py reads, services.py marks)."""
