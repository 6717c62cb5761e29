"""A time-out's reason was stored as a Chinese phrase ("小区层级超过时限"); the
timeline now words it in the reader's language from ``from_level``, so the
stored copies are cleared (a time-out never carries a person's reason)."""

from django.db import migrations


def clear(apps, schema_editor):
    CaseEvent = apps.get_model("disputes", "CaseEvent")
    CaseEvent.objects.filter(kind="timed_out", reason__endswith="层级超过时限").update(reason="")


class Migration(migrations.Migration):
    dependencies = [("disputes", "0002_scope_fks_to_core")]
    operations = [migrations.RunPython(clear, migrations.RunPython.noop)]
