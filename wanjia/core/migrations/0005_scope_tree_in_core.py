"""The scope tree (Region, Company, Compound, Building) moves from estates into
the kernel — in Django's model state only. The tables keep their names
(estates_region, estates_company, estates_compound, estates_building; see
Meta.db_table), so no table, column, index or constraint is created, dropped or
renamed, and every row stays where it is. The kernel's own foreign keys to the
tree now point at the core models (state only as well: same tables, same columns).

estates.0002 then removes the four models from estates' state, once every app's
foreign keys have been pointed at core (the *.0002_scope_fks_to_core migrations).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_idempotencykey'),
        # The tables are created by estates.0001; core takes them over from here.
        ('estates', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Building',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=30, verbose_name='楼栋')),
                        ('floors', models.PositiveSmallIntegerField(default=6, verbose_name='层数')),
                        ('has_elevator', models.BooleanField(default=False, verbose_name='有电梯')),
                        ('lat', models.FloatField(blank=True, null=True, verbose_name='纬度')),
                        ('lng', models.FloatField(blank=True, null=True, verbose_name='经度')),
                        ('sort', models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        'verbose_name': '楼栋',
                        'verbose_name_plural': '楼栋',
                        'db_table': 'estates_building',
                        'ordering': ['compound_id', 'sort', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='Company',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, unique=True, verbose_name='企业名称')),
                        ('credit_code', models.CharField(blank=True, max_length=18, verbose_name='统一社会信用代码')),
                        ('contact_phone', models.CharField(blank=True, max_length=20, verbose_name='联系电话')),
                    ],
                    options={
                        'verbose_name': '物业企业',
                        'verbose_name_plural': '物业企业',
                        'db_table': 'estates_company',
                        'ordering': ['name'],
                    },
                ),
                migrations.AlterField(
                    model_name='membership',
                    name='building',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='core.building'),
                ),
                migrations.AlterField(
                    model_name='auditlog',
                    name='company',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='core.company'),
                ),
                migrations.AlterField(
                    model_name='membership',
                    name='company',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='core.company'),
                ),
                migrations.CreateModel(
                    name='Compound',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='小区名称')),
                        ('code', models.CharField(max_length=20, unique=True, verbose_name='小区编码')),
                        ('kind', models.CharField(choices=[('commodity', '商品房'), ('public_rental', '公租房'), ('resettlement', '安置房')], default='commodity', max_length=20, verbose_name='类型')),
                        ('co_managed_by_authority', models.BooleanField(default=False, verbose_name='住房保障部门共管')),
                        ('address', models.CharField(blank=True, max_length=200, verbose_name='地址')),
                        ('lat', models.FloatField(blank=True, null=True, verbose_name='纬度')),
                        ('lng', models.FloatField(blank=True, null=True, verbose_name='经度')),
                        ('company', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='compounds', to='core.company', verbose_name='物业企业')),
                    ],
                    options={
                        'verbose_name': '小区',
                        'verbose_name_plural': '小区',
                        'db_table': 'estates_compound',
                        'ordering': ['code'],
                    },
                ),
                migrations.AddField(
                    model_name='building',
                    name='compound',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='buildings', to='core.compound'),
                ),
                migrations.AlterField(
                    model_name='auditlog',
                    name='compound',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='core.compound'),
                ),
                migrations.AlterField(
                    model_name='job',
                    name='compound',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.compound'),
                ),
                migrations.AlterField(
                    model_name='membership',
                    name='compound',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='core.compound'),
                ),
                migrations.CreateModel(
                    name='Region',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('city', '市'), ('district', '区'), ('street', '街道'), ('community', '社区')], max_length=10, verbose_name='层级')),
                        ('name', models.CharField(max_length=100, verbose_name='名称')),
                        ('code', models.CharField(max_length=30, unique=True, verbose_name='编码')),
                        ('path', models.CharField(db_index=True, editable=False, max_length=200)),
                        ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='core.region')),
                    ],
                    options={
                        'verbose_name': '行政区域',
                        'verbose_name_plural': '行政区域',
                        'db_table': 'estates_region',
                        'ordering': ['path'],
                    },
                ),
                migrations.AddField(
                    model_name='compound',
                    name='community',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='compounds', to='core.region', verbose_name='社区'),
                ),
                migrations.AddField(
                    model_name='company',
                    name='region',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='core.region', verbose_name='注册地'),
                ),
                migrations.AlterField(
                    model_name='membership',
                    name='region',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='core.region'),
                ),
                migrations.AddConstraint(
                    model_name='building',
                    constraint=models.UniqueConstraint(fields=('compound', 'name'), name='building_unique_name'),
                ),
            ],
        ),
    ]
