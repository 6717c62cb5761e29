"""Point this app's foreign keys to the scope tree at the kernel's models
(core.0005_scope_tree_in_core). State only: the tables and the columns they
reference are the same, so nothing changes in the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_scope_tree_in_core'),
        ('market', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='market',
                    name='compound',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.compound', verbose_name='运营小区'),
                ),
                migrations.AlterField(
                    model_name='market',
                    name='compounds',
                    field=models.ManyToManyField(related_name='markets', to='core.compound', verbose_name='服务小区'),
                ),
                migrations.AlterField(
                    model_name='order',
                    name='building',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.building'),
                ),
                migrations.AlterField(
                    model_name='order',
                    name='compound',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.compound'),
                ),
            ],
        ),
    ]
