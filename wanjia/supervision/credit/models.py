"""Models of the supervision app's credit area (imported by supervision/models.py)."""
