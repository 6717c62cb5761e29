"""Point this app's foreign keys to the scope tree at the kernel's models
(core.0005_scope_tree_in_core). State only: the tables and the columns they
reference are the same, so nothing changes in the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_scope_tree_in_core'),
        ('delivery', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='delivery',
                    name='compound',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.compound'),
                ),
                migrations.AlterField(
                    model_name='deliveryplan',
                    name='compound',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.compound'),
                ),
                migrations.AlterField(
                    model_name='stop',
                    name='building',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.building'),
                ),
            ],
        ),
    ]
