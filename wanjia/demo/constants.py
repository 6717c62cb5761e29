"""Names other modules' demo data rely on."""

DEMO_PASSWORD = "wanjia-demo"
# The compound where manager, party_secretary, building_leader, patrol, courier,
# caretaker, resident and volunteer all live or work.
DEMO_COMPOUND_CODE = "QX-A01"
ACCOUNTS = [
    "regulator",
    "company_admin",
    "manager",
    "party_secretary",
    "building_leader",
    "patrol",
    "courier",
    "caretaker",
    "resident",
    "volunteer",
]
