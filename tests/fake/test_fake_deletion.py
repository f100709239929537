"""Delayed deletion (Projects::MarkForDeletionService) and deletions between
page reads (totals computed at each request, as GitLab's offset pagination)."""
from fake import link_rels

SPEC = {"groups": [{"name": "G", "path": "g", "projects": [
    {"name": "Old", "path": "old", "id": 40, "deletion_scheduled": True},
    *({"name": f"P{i}", "path": f"p{i}"} for i in range(1, 8))]}]}


def test_spec_key_and_control_endpoint_mark_for_deletion(start_fake):
    fake = start_fake(spec=SPEC)
    _, _, p = fake.api("/projects/40")
    assert (p["path"], p["name"]) == ("old-deletion_scheduled-40", "Old-deletion_scheduled-40")
    assert p["path_with_namespace"] == "g/old-deletion_scheduled-40"
    assert p["archived"] is True
    assert p["marked_for_deletion_at"] == p["marked_for_deletion_on"]
    assert len(p["marked_for_deletion_on"]) == 10  # a date: YYYY-MM-DD
    _, _, q = fake.api("/projects/g%2Fp1")
    assert q["marked_for_deletion_at"] is None and q["archived"] is False
    answer = fake.control("schedule_deletion", project="g/p1")
    assert answer["full_path"] == f"g/p1-deletion_scheduled-{q['id']}"
    _, _, q = fake.api(f"/projects/{q['id']}")
    assert q["path"] == f"p1-deletion_scheduled-{q['id']}" and q["archived"] is True
    assert q["marked_for_deletion_on"] == answer["marked_for_deletion_on"]
    assert q["http_url_to_repo"].endswith(f"/g/p1-deletion_scheduled-{q['id']}.git")
    # still listed, still clonable under the new path
    _, _, items = fake.api("/groups/g/projects?archived=true")
    assert sorted(i["path"] for i in items) == sorted([p["path"], q["path"]])
    assert fake.api("/projects/g%2Fp1")[0] == 404


def test_deleting_the_oldest_and_newest_between_pages_shifts_later_pages(start_fake):
    fake = start_fake(spec=SPEC)
    query = "/groups/g/projects?order_by=id&sort=asc&per_page=3"
    _, h1, page1 = fake.api(query + "&page=1")
    assert (h1["x-total"], h1["x-total-pages"]) == ("8", "3")
    ids = [p["id"] for p in page1]
    truth = sorted(p["id"] for p in fake.truth()["projects"])
    fake.control("delete", project=str(truth[0]))
    fake.control("delete", project=str(truth[-1]))
    _, h2, page2 = fake.api(query + "&page=2")
    assert (h2["x-total"], h2["x-total-pages"]) == ("6", "2")
    assert "next" not in link_rels(h2["link"]) and h2["x-next-page"] == ""
    # the oldest vanished before page 2: one record slid onto page 1 unseen
    remaining = truth[1:-1]
    assert [p["id"] for p in page2] == remaining[3:6]
    seen = set(ids) | {p["id"] for p in page2}
    assert set(remaining) - seen == {remaining[2]}
