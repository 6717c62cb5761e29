"""Models of the supervision app's inspections area (imported by supervision/models.py)."""
