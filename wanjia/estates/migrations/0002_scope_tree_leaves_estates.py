"""Second half of moving the scope tree into the kernel (see
core.0005_scope_tree_in_core): the registry's foreign keys now point at the core
models, and the four models leave estates' state. State only: the tables
(estates_region, …) now belong to the core models and are left untouched.

Depends on every app's 0002_scope_fks_to_core, so no app's state still points at
estates.Compound & co. when they are removed."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_scope_tree_in_core'),
        ('delivery', '0002_scope_fks_to_core'),
        ('disputes', '0002_scope_fks_to_core'),
        ('estates', '0001_initial'),
        ('market', '0002_scope_fks_to_core'),
        ('party', '0002_scope_fks_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='household',
                    name='building',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='households', to='core.building'),
                ),
                migrations.AlterField(
                    model_name='unit',
                    name='building',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='units', to='core.building'),
                ),
                migrations.AlterField(
                    model_name='resident',
                    name='building',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.building'),
                ),
                migrations.RemoveField(
                    model_name='company',
                    name='region',
                ),
                migrations.RemoveField(
                    model_name='compound',
                    name='company',
                ),
                migrations.AlterField(
                    model_name='staffmember',
                    name='company',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='staff', to='core.company'),
                ),
                migrations.RemoveField(
                    model_name='compound',
                    name='community',
                ),
                migrations.AlterField(
                    model_name='staffmember',
                    name='compound',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='staff', to='core.compound'),
                ),
                migrations.AlterField(
                    model_name='household',
                    name='compound',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='households', to='core.compound'),
                ),
                migrations.AlterField(
                    model_name='resident',
                    name='compound',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='residents', to='core.compound'),
                ),
                migrations.RemoveField(
                    model_name='region',
                    name='parent',
                ),
                migrations.DeleteModel(
                    name='Building',
                ),
                migrations.DeleteModel(
                    name='Company',
                ),
                migrations.DeleteModel(
                    name='Compound',
                ),
                migrations.DeleteModel(
                    name='Region',
                ),
            ],
        ),
    ]
