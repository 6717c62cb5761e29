"""The exemplary area's permissions (imported by supervision/access.py)."""
