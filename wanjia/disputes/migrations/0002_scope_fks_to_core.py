"""Point this app's foreign keys to the scope tree at the kernel's models
(core.0005_scope_tree_in_core). State only: the tables and the columns they
reference are the same, so nothing changes in the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_scope_tree_in_core'),
        ('disputes', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='case',
                    name='building',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='dispute_cases', to='core.building', verbose_name='楼栋'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='compound',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dispute_cases', to='core.compound'),
                ),
                migrations.AlterField(
                    model_name='caseparty',
                    name='company',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.company'),
                ),
                migrations.AlterField(
                    model_name='policy',
                    name='compound',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='dispute_policy', to='core.compound'),
                ),
                migrations.AlterField(
                    model_name='sweep',
                    name='building',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dispute_sweeps', to='core.building'),
                ),
                migrations.AlterField(
                    model_name='sweep',
                    name='compound',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.compound'),
                ),
            ],
        ),
    ]
