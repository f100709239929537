"""The generator: 10,000+ projects, deterministic, quickly listable."""
from fake import link_rels

BIG = "groups=10,subgroups=5,depth=2,projects=33,seed=3,archived=0.1,empty=0.05,shared=0.05"


def test_ten_thousand_projects_paginated(start_fake):
    fake = start_fake(generate=BIG)
    truth = fake.truth()
    assert len(truth["groups"]) == 310
    assert len(truth["projects"]) == 310 * 33 + 2
    assert any(p["archived"] for p in truth["projects"])
    assert any(p["empty"] for p in truth["projects"])
    assert any(p["shared_with"] for p in truth["projects"])
    assert any(" " in p["name"] and p["name"] != p["path"] for p in truth["projects"])
    top = next(g for g in truth["groups"] if g["full_path"] == "group-4")
    expected = {p["id"] for p in truth["projects"]
                if p["path_with_namespace"].startswith("group-4/")}
    expected |= {p["id"] for p in truth["projects"] if "group-4" in p["shared_with"]}
    seen = []
    url = f"/groups/{top['id']}/projects?include_subgroups=true&per_page=100"
    for _ in range(50):
        status, h, items = fake.api(url)
        assert status == 200
        seen += [p["id"] for p in items]
        nxt = link_rels(h["link"]).get("next")
        if not nxt:
            break
        url = nxt[len(fake.url) + len("/api/v4"):]
    assert len(seen) == len(set(seen))
    assert set(seen) == expected
    # above 10,000 records the totals vanish
    status, h, items = fake.api("/projects?per_page=100")
    assert "x-total" not in h and h["x-next-page"] == "2"


def test_generator_is_deterministic(start_fake):
    def truth(fake):
        t = fake.truth()
        for p in t["projects"]:
            del p["http_url_to_repo"]  # holds the port
        return t
    small = "groups=4,subgroups=3,depth=2,projects=8,seed=3,archived=0.2,empty=0.1,shared=0.1"
    a = truth(start_fake(generate=small))
    b = truth(start_fake(generate=small))
    assert a == b
    c = truth(start_fake(generate=small.replace("seed=3", "seed=4")))
    assert [p["archived"] for p in c["projects"]] != [p["archived"] for p in a["projects"]]
