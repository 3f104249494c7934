"""Agreements and meeting notes: what a talk or round table ended with (services.py writes, selectors.py reads)."""
