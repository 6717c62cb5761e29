"""The credit area's permissions (imported by supervision/access.py)."""
