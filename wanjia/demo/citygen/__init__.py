"""A city of any size, straight into PostgreSQL through COPY (``manage.py generate_city``).

* ``plan``: sizing, the generation clock, deterministic id ranges.
* ``copy``: rows as dicts keyed by model field, written by COPY with the
  columns taken from ``_meta``.
* ``base``: what is shared by the city (regions, companies, the regulator,
  ticket categories, city-wide emergencies), the chunk numbered 0.
* ``compound``: one compound with its buildings, households, residents, staff,
  accounts and party branch, and a year of events in every module (``events``),
  one chunk each, committed with its row in ``citygen_chunk``.
* ``runner``: chunks in order, skipping the finished ones (resume), then the
  sequences, ANALYZE and the summary."""
