"""The content types of the scope tree follow the models from estates to core.

An existing database has django_content_type rows (estates, region) … (estates,
building) that admin log entries and permissions (and the groups and users holding
them) point at. Renaming those rows to app_label "core" keeps every such pointer
on the right model. A fresh database has no rows yet (content types are created
after migrate), and then there is nothing to do.

If a core row already exists as well (a post_migrate ran between the two steps),
the older estates row wins: the core row's permissions and log entries are moved
onto it, then the core row is removed and the estates row renamed."""

from django.db import migrations

MOVED = ("region", "company", "compound", "building")


def _merge_into(apps, db, *, duplicate, keep):
    """Repoint everything that refers to ``duplicate`` to ``keep``; delete ``duplicate``."""
    permission_model = apps.get_model("auth", "Permission")
    links = [
        (apps.get_model("auth", "Group").permissions.through, "group_id"),
        (apps.get_model("core", "User").user_permissions.through, "user_id"),
    ]
    for perm in permission_model.objects.using(db).filter(content_type=duplicate):
        twin = (
            permission_model.objects.using(db)
            .filter(content_type=keep, codename=perm.codename)
            .first()
        )
        if twin is None:
            perm.content_type = keep
            perm.save(update_fields=["content_type"])
            continue
        for through, holder in links:
            holders = through.objects.using(db).filter(permission=twin).values(holder)
            through.objects.using(db).filter(permission=perm).exclude(
                **{f"{holder}__in": holders}
            ).update(permission=twin)
        perm.delete()  # with the links its holders already had through the twin
    log_entry_model = apps.get_model("admin", "LogEntry")
    log_entry_model.objects.using(db).filter(content_type=duplicate).update(content_type=keep)
    duplicate.delete()


def _relabel(source: str, target: str):
    def run(apps, schema_editor):
        db = schema_editor.connection.alias
        content_type_model = apps.get_model("contenttypes", "ContentType")
        rows = content_type_model.objects.using(db)
        for model in MOVED:
            old = rows.filter(app_label=source, model=model).first()
            if old is None:
                continue
            new = rows.filter(app_label=target, model=model).first()
            if new is not None:
                _merge_into(apps, db, duplicate=new, keep=old)
            old.app_label = target
            old.save(update_fields=["app_label"])

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_scope_tree_in_core"),
        ("estates", "0002_scope_tree_leaves_estates"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [
        migrations.RunPython(_relabel("estates", "core"), _relabel("core", "estates")),
    ]
