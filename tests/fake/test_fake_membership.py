"""Which groups and projects a caller sees, as GitLab decides it: inherited
membership, ancestors listed (GroupsFinder), admins (--admin-token), search
on full paths (Namespace.search include_parents)."""
import pytest

SPEC = {
    "user": {"id": 3, "username": "gina", "name": "Gina"},
    "groups": [
        {"name": "Top", "path": "top", "access_level": 0, "projects": [
            {"name": "Top Secret", "path": "secret"},
            {"name": "Top Open", "path": "open", "visibility": "internal"}],
         "subgroups": [
             {"name": "Mid", "path": "mid", "access_level": 30,
              "projects": [{"name": "Mid App", "path": "app"}],
              "subgroups": [{"name": "Leaf", "path": "leaf",
                             "projects": [{"name": "Leaf Lib", "path": "lib"}]}]},
             {"name": "Side", "path": "side", "projects": [{"name": "Side P", "path": "p"}]}]},
        {"name": "Lonely", "path": "lonely", "access_level": 0,
         "subgroups": [{"name": "Guest Spot", "path": "guest", "access_level": 10}]},
        {"name": "Public Place", "path": "pub", "access_level": 0, "visibility": "public"},
        {"name": "Private Place", "path": "priv", "access_level": 0,
         "projects": [{"name": "Hidden", "path": "hidden"},
                      {"name": "Lent", "path": "lent", "shared_with": ["top/mid"]}]},
    ],
}
ADMIN = "glpat-admin-0000"


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    from fake import FakeGitLab
    f = FakeGitLab(spec=SPEC, workdir=tmp_path_factory.mktemp("membership"),
                   admin_token=ADMIN)
    yield f
    f.stop()


def paths(items, key="full_path"):
    return sorted(i[key] for i in items)


def test_memberships_descendants_and_ancestors_are_listed(fake):
    _, _, items = fake.api("/groups")
    # member of top/mid (inherited by leaf), guest of lonely/guest; their
    # ancestors top and lonely are listed though not memberships
    assert paths(items) == ["lonely", "lonely/guest", "top", "top/mid", "top/mid/leaf"]
    _, _, items = fake.api("/groups?all_available=true")
    assert paths(items) == ["lonely", "lonely/guest", "pub", "top", "top/mid",
                            "top/mid/leaf"]
    _, _, items = fake.api("/groups?all_available=false&top_level_only=true")
    assert paths(items) == ["lonely", "top"]


def test_min_access_level_lists_no_ancestors(fake):
    _, _, items = fake.api("/groups?min_access_level=10")
    assert paths(items) == ["lonely/guest", "top/mid", "top/mid/leaf"]
    _, _, items = fake.api("/groups?min_access_level=30")
    assert paths(items) == ["top/mid", "top/mid/leaf"]
    truth = {g["full_path"]: g["access_level"] for g in fake.truth()["groups"]}
    assert truth["top/mid/leaf"] == 30 and truth["top"] == 0


def test_subgroups_and_descendants_of_an_ancestor(fake):
    _, _, items = fake.api("/groups/top/subgroups")
    assert paths(items) == ["top/mid"]
    _, _, items = fake.api("/groups/top/descendant_groups")
    assert paths(items) == ["top/mid", "top/mid/leaf"]
    # all_available adds what the user may see anyway: top/side is private
    _, _, items = fake.api("/groups/top/subgroups?all_available=true")
    assert paths(items) == ["top/mid"]


def test_an_ancestor_is_readable_through_the_projects_below(fake):
    _, _, g = fake.api("/groups/top")
    assert g["full_path"] == "top"
    assert [p["path"] for p in g["projects"]] == ["open"]
    # lonely/guest has no project: lonely is listed but not readable
    assert fake.api("/groups/lonely")[0] == 404
    # priv holds a project shared with the user: readable, not listed
    assert fake.api("/groups/priv")[0] == 200
    assert "priv" not in paths(fake.api("/groups?all_available=true")[2])


def test_group_projects_are_the_visible_ones(fake):
    _, _, items = fake.api("/groups/top/projects?include_subgroups=true")
    assert paths(items, "path_with_namespace") == ["top/mid/app", "top/mid/leaf/lib",
                                                   "top/open"]
    _, _, items = fake.api("/projects?per_page=100")
    assert paths(items, "path_with_namespace") == ["priv/lent", "top/mid/app",
                                                   "top/mid/leaf/lib", "top/open"]
    # a share into a group at Developer (30) counts as that level
    _, _, items = fake.api("/projects?min_access_level=30")
    assert paths(items, "path_with_namespace") == ["priv/lent", "top/mid/app",
                                                   "top/mid/leaf/lib"]
    _, _, items = fake.api("/projects?min_access_level=40")
    assert items == []


def test_admin_sees_everything_by_default(fake):
    _, _, me = fake.api("/user", token=ADMIN)
    assert me["is_admin"] is True
    assert fake.api("/user")[2]["is_admin"] is False
    _, _, items = fake.api("/groups?per_page=100", token=ADMIN)
    assert len(items) == 8
    _, _, items = fake.api("/groups?all_available=false", token=ADMIN)
    assert paths(items) == ["lonely", "lonely/guest", "top", "top/mid", "top/mid/leaf"]
    _, _, items = fake.api("/groups/top/descendant_groups", token=ADMIN)
    assert paths(items) == ["top/mid", "top/mid/leaf", "top/side"]
    _, _, items = fake.api("/projects?per_page=100", token=ADMIN)
    assert len(items) == 7
    _, _, p = fake.api("/projects/priv%2Fhidden", token=ADMIN)
    assert p["default_branch"] == "main"


def test_search_matches_full_paths_and_names(fake):
    _, _, items = fake.api("/groups?search=mid")
    assert paths(items) == ["top/mid", "top/mid/leaf"]
    _, _, items = fake.api("/groups?search=top%20%2F%20mid")
    assert paths(items) == ["top/mid", "top/mid/leaf"]
    # below a parent the name and path alone count
    _, _, items = fake.api("/groups/top/descendant_groups?search=mid")
    assert paths(items) == ["top/mid"]


def test_stable_order_by_id(fake):
    for path in ("/groups", "/groups/top/descendant_groups",
                 "/groups/top/projects?include_subgroups=true", "/users/3/projects"):
        sep = "&" if "?" in path else "?"
        _, _, items = fake.api(f"{path}{sep}order_by=id&sort=asc")
        ids = [i["id"] for i in items]
        assert ids == sorted(ids), path
