"""``manage.py rotate_field_key``: re-encrypt every encrypted field with the
first key of ``FIELD_ENCRYPTION_KEY`` (``NEW,OLD``), so that OLD can then be
removed. Safe to run again; run it with the site stopped or quiet (a value
written meanwhile with the new key is simply rewritten with it). Prints counts
only, never a value."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from wanjia.core.audit import audit
from wanjia.core.fields import EncryptedTextField

BATCH = 1000


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields with the first FIELD_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        counts = {}
        for model in apps.get_models():
            fields = [
                f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
            ]
            if fields:
                counts[model._meta.label] = self._rotate(model, fields)
                self.stdout.write(f"  {model._meta.label}: {counts[model._meta.label]} rows")
        audit(actor=None, action="core.keys.field_key_rotated", detail={"rows": counts})
        self.stdout.write("Done: every encrypted value now uses the first key.")

    def _rotate(self, model, fields: list[str]) -> int:
        """Read (decrypted with any key) and write back (encrypted with the first)."""
        done = 0
        pks = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), BATCH):
            with transaction.atomic():
                rows = list(
                    model._base_manager.filter(pk__in=pks[start : start + BATCH]).only(
                        "pk", *fields
                    )
                )
                model._base_manager.bulk_update(rows, fields)
            done += len(rows)
        return done
