"""The inspections area's permissions (imported by supervision/access.py)."""
