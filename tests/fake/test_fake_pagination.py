"""Offset and keyset pagination exactly as GitLab documents them."""
from urllib.parse import parse_qsl, urlsplit

from fake import link_rels


def walk(fake, path):
    """Follow Link rel="next" from `path`; [(headers, items)] per page."""
    pages = []
    url = path
    for _ in range(1000):
        status, headers, items = fake.api(url)
        assert status == 200, (url, status, items)
        pages.append((headers, items))
        nxt = link_rels(headers.get("link")).get("next")
        if not nxt:
            return pages
        parts = urlsplit(nxt)
        assert f"{parts.scheme}://{parts.netloc}" == fake.url
        url = parts.path + "?" + parts.query
    raise AssertionError("pagination did not end")


def test_offset_headers_and_links_on_every_page(demo):
    member_groups = [g["id"] for g in demo.truth()["groups"]]
    pages = walk(demo, "/groups?per_page=2")
    assert len(pages) == 3
    seen = []
    for n, (h, items) in enumerate(pages, 1):
        assert h["x-page"] == str(n)
        assert h["x-per-page"] == "2"
        assert h["x-total"] == str(len(member_groups))
        assert h["x-total-pages"] == "3"
        assert h["x-next-page"] == (str(n + 1) if n < 3 else "")
        assert h["x-prev-page"] == (str(n - 1) if n > 1 else "")
        rels = link_rels(h["link"])
        assert set(rels) == {"first", "last"} | ({"prev"} if n > 1 else set()) | (
            {"next"} if n < 3 else set())
        assert dict(parse_qsl(urlsplit(rels["first"]).query)) == {"page": "1", "per_page": "2"}
        assert dict(parse_qsl(urlsplit(rels["last"]).query))["page"] == "3"
        seen += [g["id"] for g in items]
    assert sorted(seen) == sorted(member_groups)
    # default order is by name
    names = [g["name"] for _, items in pages for g in items]
    assert names == sorted(names, key=str.lower)


def test_link_keeps_the_query_sorted_with_route_id(demo):
    status, h, items = demo.api("/groups/acme%2Fequipe-donnees/projects?include_subgroups=true"
                                "&per_page=3")
    assert status == 200 and h["x-total"] == "4"
    nxt = link_rels(h["link"])["next"]
    query = urlsplit(nxt).query
    keys = [k for k, _ in parse_qsl(query)]
    assert keys == sorted(keys)
    assert dict(parse_qsl(query)) == {"id": "acme/equipe-donnees", "include_subgroups": "true",
                                      "page": "2", "per_page": "3"}
    assert urlsplit(nxt).path == "/api/v4/groups/acme%2Fequipe-donnees/projects"


def test_past_the_last_page_is_empty_without_next_or_prev(demo):
    status, h, items = demo.api("/groups?per_page=2&page=9")
    assert status == 200 and items == []
    assert h["x-next-page"] == "" and h["x-prev-page"] == ""
    rels = link_rels(h["link"])
    assert "next" not in rels and "prev" not in rels
    assert h["x-total-pages"] == "3"


def test_per_page_default_and_clamp(start_fake):
    fake = start_fake(generate="groups=1,subgroups=0,depth=0,projects=150,user_projects=0")
    status, h, items = fake.api("/groups/group-0/projects")
    assert (h["x-per-page"], len(items), h["x-total-pages"]) == ("20", 20, "8")
    status, h, items = fake.api("/groups/group-0/projects?per_page=500")
    assert (h["x-per-page"], len(items), h["x-total-pages"]) == ("100", 100, "2")
    assert h["x-next-page"] == "2"
    # default order: created_at desc
    assert [p["id"] for p in items] == sorted((p["id"] for p in items), reverse=True)


def test_totals_omitted_above_the_limit(start_fake):
    fake = start_fake(generate="groups=1,subgroups=0,depth=0,projects=30,user_projects=0",
                      totals_limit=25)
    status, h, items = fake.api("/projects?per_page=10")
    assert status == 200 and len(items) == 10
    assert "x-total" not in h and "x-total-pages" not in h
    assert "last" not in link_rels(h["link"])
    assert h["x-next-page"] == "2"
    pages = walk(fake, "/projects?per_page=10")
    assert sum(len(i) for _, i in pages) == 30
    assert pages[-1][0]["x-next-page"] == ""
    # a collection at the limit still has its totals
    status, h, items = fake.api("/groups")
    assert h["x-total"] == "1"


def test_offset_cap_on_project_lists(start_fake):
    fake = start_fake(generate="groups=1,subgroups=0,depth=0,projects=5", max_offset=100)
    status, h, body = fake.api("/projects?per_page=50&page=2")
    assert status == 200
    status, h, body = fake.api("/projects?per_page=50&page=3")
    assert status == 405
    assert body["message"].startswith("Offset pagination has a maximum allowed offset of 100")
    assert "keyset pagination" in body["message"]
    status, h, body = fake.api("/groups/group-0/projects?per_page=100&page=2")
    assert status == 405
    # the per_page asked for counts, not the clamped one
    status, h, body = fake.api("/projects?per_page=101&page=1")
    assert status == 405
    # groups are not capped
    status, h, body = fake.api("/groups?per_page=100&page=2")
    assert status == 200 and body == []


def test_keyset_on_projects(start_fake):
    fake = start_fake(generate="groups=2,subgroups=0,depth=0,projects=5,user_projects=0")
    seen = []
    url = "/projects?pagination=keyset&order_by=id&sort=asc&per_page=3"
    for _ in range(10):
        status, h, items = fake.api(url)
        assert status == 200
        assert not set(h) & {"x-page", "x-per-page", "x-next-page", "x-prev-page", "x-total",
                             "x-total-pages"}, h
        seen += [p["id"] for p in items]
        nxt = link_rels(h.get("link")).get("next")
        if not items:
            assert nxt is None
            break
        q = dict(parse_qsl(urlsplit(nxt).query))
        assert q["id_after"] == str(items[-1]["id"]) and q["pagination"] == "keyset"
        url = urlsplit(nxt).path + "?" + urlsplit(nxt).query
    assert seen == list(range(1, 11))
    status, h, items = fake.api("/projects?pagination=keyset&order_by=id&sort=desc&per_page=4")
    assert [p["id"] for p in items] == [10, 9, 8, 7]
    assert dict(parse_qsl(urlsplit(link_rels(h["link"])["next"]).query))["id_before"] == "7"
    status, h, body = fake.api("/projects?pagination=keyset&order_by=name")
    assert status == 405
    assert body == {"message": "Keyset pagination is not yet available for this type of request"}


def test_keyset_on_groups_is_ignored_for_authenticated_callers(demo):
    status, h, items = demo.api("/groups?pagination=keyset&order_by=name&per_page=2")
    assert status == 200
    assert h["x-page"] == "1" and h["x-total"] == "5"
