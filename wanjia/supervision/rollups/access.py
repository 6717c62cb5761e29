"""The rollups area's permissions (imported by supervision/access.py)."""
