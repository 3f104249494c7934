"""A realistic, deterministic demo organisation (seed_demo)."""
