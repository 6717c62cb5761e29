"""Point this app's foreign keys to the scope tree at the kernel's models
(core.0005_scope_tree_in_core). State only: the tables and the columns they
reference are the same, so nothing changes in the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_scope_tree_in_core'),
        ('party', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='activity',
                    name='compound',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.compound', verbose_name='小区'),
                ),
                migrations.AlterField(
                    model_name='branch',
                    name='compounds',
                    field=models.ManyToManyField(related_name='party_branches', to='core.compound', verbose_name='所辖小区'),
                ),
                migrations.AlterField(
                    model_name='member',
                    name='compound',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.compound', verbose_name='小区'),
                ),
                migrations.AlterField(
                    model_name='responsibility',
                    name='building',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='party_responsibilities', to='core.building', verbose_name='楼栋'),
                ),
                migrations.AlterField(
                    model_name='responsibility',
                    name='compound',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.compound'),
                ),
                migrations.AlterField(
                    model_name='team',
                    name='compound',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.compound', verbose_name='小区'),
                ),
            ],
        ),
    ]
