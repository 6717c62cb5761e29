"""Models of the supervision app's exemplary area (imported by supervision/models.py)."""
