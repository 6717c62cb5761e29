def test_world_scoping(world, api):
    r = api(world.manager_a).get("/api/v1/compounds")
    assert r.status_code == 200, r.content
    body = r.json()
    assert [c["id"] for c in body["items"]] == [world.a.pk]
    assert body["items"][0]["household_count"] == world.a.households.count()
    assert api(world.manager_a).get(f"/api/v1/compounds/{world.b.pk}").status_code == 404
    me = api(world.resident_a).get("/api/v1/me").json()
    assert me["roles"] == [
        {"role": "resident", "scope_type": "household", "scope_id": world.home.pk}
    ]
    res = api(world.resident_a).get("/api/v1/residents").json()
    assert [x["name"] for x in res["items"]] == ["张伟"]
    assert res["items"][0]["phone"] == "138****5678"
    reg = api(world.regulator).get("/api/v1/compounds").json()
    assert reg["count"] == 2
