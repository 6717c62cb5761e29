"""Models of the supervision app's rollups area (imported by supervision/models.py)."""
