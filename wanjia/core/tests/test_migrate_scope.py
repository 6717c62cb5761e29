"""Moving the scope tree from estates into the kernel keeps every row.

The database is taken back to the state just before the move (core.0005 and the
*.0002 migrations), rows are written through the historical models of that
state — the estates Region/Company/Compound/Building — and the database is then
migrated forward. Every row must still be there, with the same ids and the same
relations, read through the new core models; the content types follow the
models to app_label "core"."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from wanjia.core.models import AuditLog, Building, Company, Compound, Membership, Region
from wanjia.disputes.models import Policy
from wanjia.estates.models import Household, Resident, StaffMember, Unit
from wanjia.market.models import Market
from wanjia.party.models import Branch, Member

BEFORE = [
    ("core", "0004_idempotencykey"),
    ("estates", "0001_initial"),
    ("party", "0001_initial"),
    ("disputes", "0001_initial"),
    ("market", "0001_initial"),
    ("delivery", "0001_initial"),
]
# BEFORE's state plus the content types, permissions and admin log (untouched by the
# migrate back), to write through their historical models as well
STATE = [
    *BEFORE,
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("admin", "0003_logentry_add_action_flag_choices"),
]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _write_old_rows(apps) -> dict:
    """A region tree down to a resident, and a row of each app that points at the
    compound, through the models as they were before the move."""

    def model(label):
        return apps.get_model(*label.split("."))

    assert model("estates.Compound")._meta.db_table == "estates_compound"
    region = model("estates.Region")
    city = region.objects.create(kind="city", name="迁移市", code="MIG", path="")
    city.path = f"/{city.pk}/"
    city.save()
    community = region.objects.create(
        kind="community", name="迁移社区", code="MIG-C", parent=city, path=""
    )
    community.path = f"{city.path}{community.pk}/"
    community.save()
    company = model("estates.Company").objects.create(name="迁移物业", region=city)
    compound = model("estates.Compound").objects.create(
        name="迁移小区", code="MIG001", community=community, company=company
    )
    building = model("estates.Building").objects.create(compound=compound, name="1栋")
    unit = model("estates.Unit").objects.create(building=building, name="1单元")
    household = model("estates.Household").objects.create(
        unit=unit, building=building, compound=compound, room="101", code="MIG001-1-1-101"
    )
    resident = model("estates.Resident").objects.create(
        household=household, building=building, compound=compound, name="迁移人"
    )
    user = model("core.User").objects.create(username="migrated", password="!")
    membership = model("core.Membership").objects.create(
        user=user, role="resident", scope_type="compound", compound=compound
    )
    staff = model("estates.StaffMember").objects.create(
        company=company, compound=compound, name="迁移员工"
    )
    audit = model("core.AuditLog").objects.create(
        action="test.migrated", compound=compound, company=company
    )
    branch = model("party.Branch").objects.create(name="迁移支部")
    branch.compounds.add(compound)
    member = model("party.Member").objects.create(
        branch=branch, compound=compound, resident=resident, name="迁移人"
    )
    market = model("market.Market").objects.create(name="迁移菜篮子", compound=compound)
    market.compounds.add(compound)
    policy = model("disputes.Policy").objects.create(compound=compound, building_days=4)
    return {
        "city": city.pk,
        "community": community.pk,
        "company": company.pk,
        "compound": compound.pk,
        "building": building.pk,
        "unit": unit.pk,
        "household": household.pk,
        "resident": resident.pk,
        "membership": membership.pk,
        "staff": staff.pk,
        "audit": audit.pk,
        "branch": branch.pk,
        "member": member.pk,
        "market": market.pk,
        "policy": policy.pk,
    }


def _duplicate_core_content_type(apps) -> dict:
    """As if a post_migrate had already created (core, compound): a permission of it
    is held by a group, and an admin log entry points at it. The older estates row
    (with its own permission held by the same group) must win."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    estates_ct = content_type.objects.get_or_create(app_label="estates", model="compound")[0]
    core_ct = content_type.objects.create(app_label="core", model="compound")
    old_perm = permission.objects.get_or_create(
        content_type=estates_ct, codename="change_compound", defaults={"name": "Can change"}
    )[0]
    twin = permission.objects.create(
        content_type=core_ct, codename="change_compound", name="Can change"
    )
    only_new = permission.objects.create(
        content_type=core_ct, codename="audit_compound", name="Can audit"
    )
    group = apps.get_model("auth", "Group").objects.create(name="迁移组")
    group.permissions.add(old_perm, twin, only_new)
    user = apps.get_model("core", "User").objects.create(username="admin_mig", password="!")
    user.user_permissions.add(twin)
    apps.get_model("admin", "LogEntry").objects.create(
        user=user, content_type=core_ct, object_id="1", object_repr="x", action_flag=ADDITION
    )
    return {"estates_ct": estates_ct.pk, "old_perm": old_perm.pk, "group": group.pk}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_moving_the_scope_tree_into_the_kernel_keeps_every_row():
    _migrate(BEFORE)
    try:
        old_apps = MigrationExecutor(connection).loader.project_state(STATE).apps
        ids = _write_old_rows(old_apps)
        cts = _duplicate_core_content_type(old_apps)
    finally:
        _migrate(_latest())
    ContentType.objects.clear_cache()

    compound = Compound.objects.get(pk=ids["compound"])
    assert compound.code == "MIG001"
    assert compound.community_id == ids["community"]
    assert compound.company_id == ids["company"]
    assert Region.objects.get(pk=ids["community"]).parent_id == ids["city"]
    assert Company.objects.get(pk=ids["company"]).region_id == ids["city"]
    assert list(compound.buildings.values_list("pk", flat=True)) == [ids["building"]]
    assert Building.objects.get(pk=ids["building"]).compound == compound
    assert Unit.objects.get(pk=ids["unit"]).building_id == ids["building"]
    household = Household.objects.get(pk=ids["household"])
    assert (household.unit_id, household.building_id, household.compound) == (
        ids["unit"],
        ids["building"],
        compound,
    )
    resident = Resident.objects.get(pk=ids["resident"])
    assert (resident.household_id, resident.compound) == (ids["household"], compound)
    assert Membership.objects.get(pk=ids["membership"]).compound == compound
    assert StaffMember.objects.get(pk=ids["staff"]).compound == compound
    audit = AuditLog.objects.get(pk=ids["audit"])
    assert (audit.compound, audit.company_id) == (compound, ids["company"])
    assert list(Branch.objects.get(pk=ids["branch"]).compounds.all()) == [compound]
    assert Member.objects.get(pk=ids["member"]).compound == compound
    market = Market.objects.get(pk=ids["market"])
    assert market.compound == compound and list(market.compounds.all()) == [compound]
    assert compound.dispute_policy.pk == ids["policy"]
    assert Policy.objects.get(pk=ids["policy"]).building_days == 4

    # Content types: the estates row became the core one, the duplicate merged into it.
    assert not ContentType.objects.filter(
        app_label="estates", model__in=["region", "company", "compound", "building"]
    ).exists()
    compound_ct = ContentType.objects.get_for_model(Compound)
    assert compound_ct.pk == cts["estates_ct"]
    assert ContentType.objects.filter(model="compound").count() == 1
    group = Group.objects.get(pk=cts["group"])
    assert sorted(group.permissions.values_list("content_type_id", "codename")) == [
        (compound_ct.pk, "audit_compound"),
        (compound_ct.pk, "change_compound"),
    ]
    assert group.permissions.get(codename="change_compound").pk == cts["old_perm"]
    admin_user = Membership._meta.get_field("user").related_model.objects.get(username="admin_mig")
    assert list(admin_user.user_permissions.values_list("pk", flat=True)) == [cts["old_perm"]]
    assert (
        Permission.objects.filter(content_type=compound_ct, codename="change_compound").count() == 1
    )
    assert LogEntry.objects.get(user=admin_user).content_type_id == compound_ct.pk
