"""The REST routes: shapes, filters, errors, authentication."""
import pytest
from fake import link_rels

SPEC = {
    "user": {"id": 7, "username": "bob", "name": "Bob"},
    "groups": [
        {"name": "Alpha Team", "path": "alpha", "projects": [
            {"name": "Main App", "path": "app"},
            {"name": "Legacy", "path": "legacy", "archived": True},
            {"name": "Empty One", "path": "empty-one", "empty": True},
            {"name": "Tool", "path": "tool", "shared_with": ["beta"]},
            {"name": "Lib", "path": "lib", "shared_with": ["beta/inner"]}],
         "subgroups": [{"name": "Sub Zéro", "path": "sub", "access_level": 30, "projects": [
             {"name": "Deep", "path": "deep"}]}]},
        {"name": "Beta", "path": "beta", "subgroups": [{"name": "Inner", "path": "inner"}]},
        {"name": "Stranger Public", "path": "stranger", "access_level": 0,
         "visibility": "public", "projects": [{"name": "Open", "path": "open",
                                               "visibility": "public"}]},
        {"name": "Stranger Private", "path": "hidden", "access_level": 0,
         "projects": [{"name": "Secret", "path": "secret"}],
         "subgroups": [{"name": "Invited", "path": "invited", "access_level": 20,
                        "projects": [{"name": "Guest Work", "path": "work"}]}]},
        {"name": "Closed", "path": "closed", "access_level": 0},
    ],
    "user_projects": [{"name": "My Stuff", "path": "stuff"}],
}


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    from fake import FakeGitLab
    f = FakeGitLab(spec=SPEC, workdir=tmp_path_factory.mktemp("api"),
                   forbidden_token="glpat-forbidden")
    yield f
    f.stop()


def paths(items, key="full_path"):
    return sorted(i[key] for i in items)


def test_authentication_errors(fake):
    assert fake.api("/groups", token=None)[0::2] == (401, {"message": "401 Unauthorized"})
    assert fake.api("/groups", token="wrong")[0::2] == (401, {"message": "401 Unauthorized"})
    assert fake.api("/groups", token="glpat-forbidden")[0::2] == (
        403, {"message": "403 Forbidden"})
    status, _, _ = fake.api("/user", token=None, headers={
        "Authorization": f"Bearer {fake.token}"})
    assert status == 200
    status, _, _ = fake.api(f"/user?private_token={fake.token}", token=None)
    assert status == 200


def test_not_found_bodies(fake):
    assert fake.api("/groups/nope")[0::2] == (404, {"message": "404 Group Not Found"})
    assert fake.api("/groups/closed")[0::2] == (404, {"message": "404 Group Not Found"})
    assert fake.api("/projects/999")[0::2] == (404, {"message": "404 Project Not Found"})
    assert fake.api("/users/nobody/projects")[0::2] == (404, {"message": "404 User Not Found"})
    assert fake.api("/nothing/here")[0::2] == (404, {"error": "404 Not Found"})
    assert fake.api("/nothing/here", token=None)[0::2] == (404, {"error": "404 Not Found"})
    # a full path must be URL-encoded, as in GitLab
    assert fake.api("/groups/alpha/sub")[0::2] == (404, {"error": "404 Not Found"})
    assert fake.api("/groups/alpha%2Fsub")[2]["full_name"] == "Alpha Team / Sub Zéro"


def test_bad_parameters(fake):
    assert fake.api("/groups/alpha/projects?archived=maybe")[0::2] == (
        400, {"error": "archived is invalid"})
    assert fake.api("/groups?order_by=size")[0::2] == (
        400, {"error": "order_by does not have a valid value"})


def test_group_list_filters(fake):
    # the ancestor of a membership is listed (GroupsFinder include_ancestors)
    _, _, items = fake.api("/groups")
    assert paths(items) == ["alpha", "alpha/sub", "beta", "beta/inner", "hidden",
                            "hidden/invited"]
    _, _, items = fake.api("/groups?all_available=true")
    assert paths(items) == ["alpha", "alpha/sub", "beta", "beta/inner", "hidden",
                            "hidden/invited", "stranger"]
    _, _, items = fake.api("/groups?top_level_only=true&all_available=true")
    assert paths(items) == ["alpha", "beta", "hidden", "stranger"]
    _, _, items = fake.api("/groups?search=INN")
    assert paths(items) == ["beta/inner"]
    # alpha/sub's own level is 30, but owner is inherited from alpha
    _, _, items = fake.api("/groups?owned=true")
    assert paths(items) == ["alpha", "alpha/sub", "beta", "beta/inner"]
    _, _, items = fake.api("/groups?min_access_level=30")
    assert paths(items) == ["alpha", "alpha/sub", "beta", "beta/inner"]
    g = next(i for i in items if i["full_path"] == "alpha/sub")
    for key in ("id", "name", "path", "full_name", "full_path", "parent_id", "web_url",
                "description", "visibility", "avatar_url", "created_at"):
        assert key in g
    assert g["web_url"] == f"{fake.url}/groups/alpha/sub"
    assert g["parent_id"] == next(i["id"] for i in items if i["full_path"] == "alpha")
    _, _, items = fake.api("/groups?top_level_only=true")
    assert paths(items) == ["alpha", "beta", "hidden"]


def test_subgroups_and_descendants(fake):
    _, _, items = fake.api("/groups/beta/subgroups")
    assert paths(items) == ["beta/inner"]
    _, _, items = fake.api("/groups/alpha/descendant_groups")
    assert paths(items) == ["alpha/sub"]
    _, _, items = fake.api("/groups/alpha%2Fsub/subgroups")
    assert items == []


def test_group_projects(fake):
    _, _, items = fake.api("/groups/alpha/projects")
    assert paths(items, "path_with_namespace") == [
        "alpha/app", "alpha/empty-one", "alpha/legacy", "alpha/lib", "alpha/tool"]
    _, _, items = fake.api("/groups/alpha/projects?include_subgroups=true&archived=false")
    assert paths(items, "path_with_namespace") == [
        "alpha/app", "alpha/empty-one", "alpha/lib", "alpha/sub/deep", "alpha/tool"]
    _, _, items = fake.api("/groups/alpha/projects?archived=true")
    assert paths(items, "path_with_namespace") == ["alpha/legacy"]
    empty = next(p for p in fake.api("/groups/alpha/projects")[2] if p["path"] == "empty-one")
    assert empty["empty_repo"] is True and empty["default_branch"] is None


def test_shared_projects(fake):
    _, _, items = fake.api("/groups/beta/projects")
    assert paths(items, "path_with_namespace") == ["alpha/tool"]
    assert items[0]["namespace"]["full_path"] == "alpha"
    assert items[0]["shared_with_groups"][0]["group_full_path"] == "beta"
    _, _, items = fake.api("/groups/beta/projects?with_shared=false")
    assert items == []
    # shared into a subgroup: never listed for the parent, even with include_subgroups
    _, _, items = fake.api("/groups/beta/projects?include_subgroups=true")
    assert paths(items, "path_with_namespace") == ["alpha/tool"]
    _, _, items = fake.api("/groups/beta%2Finner/projects")
    assert paths(items, "path_with_namespace") == ["alpha/lib"]
    _, _, items = fake.api("/groups/beta/projects/shared")
    assert paths(items, "path_with_namespace") == ["alpha/tool"]


def test_project_shapes(fake):
    _, _, full = fake.api("/projects/alpha%2Fapp")
    for key in ("id", "name", "path", "path_with_namespace", "name_with_namespace",
                "namespace", "http_url_to_repo", "ssh_url_to_repo", "web_url",
                "default_branch", "archived", "empty_repo", "last_activity_at", "visibility",
                "shared_with_groups"):
        assert key in full, key
    assert full["name_with_namespace"] == "Alpha Team / Main App"
    assert full["http_url_to_repo"] == f"{fake.url}/alpha/app.git"
    assert set(full["namespace"]) >= {"id", "name", "path", "kind", "full_path", "parent_id",
                                      "web_url"}
    _, _, simple = fake.api("/groups/alpha/projects?simple=true&search=app")
    assert [p["path"] for p in simple] == ["app"]
    for key in ("archived", "visibility", "empty_repo", "shared_with_groups"):
        assert key not in simple[0]


def test_group_detail_embeds_projects(fake):
    _, _, g = fake.api("/groups/beta")
    assert [p["path_with_namespace"] for p in g["shared_projects"]] == ["alpha/tool"]
    assert g["projects"] == []
    _, _, g = fake.api("/groups/beta?with_projects=false")
    assert "projects" not in g and "shared_projects" not in g


def test_projects_visibility_and_membership(fake):
    _, _, items = fake.api("/projects?per_page=100")
    assert "stranger/open" in paths(items, "path_with_namespace")
    assert "hidden/secret" not in paths(items, "path_with_namespace")
    _, _, items = fake.api("/projects?membership=true&per_page=100")
    assert "stranger/open" not in paths(items, "path_with_namespace")
    assert "bob/stuff" in paths(items, "path_with_namespace")
    assert fake.api("/projects/hidden%2Fsecret")[0] == 404


def test_user_and_personal_projects(fake):
    _, _, me = fake.api("/user")
    assert (me["id"], me["username"]) == (7, "bob")
    for ref in ("7", "bob"):
        _, _, items = fake.api(f"/users/{ref}/projects")
        assert paths(items, "path_with_namespace") == ["bob/stuff"]
        assert items[0]["namespace"]["kind"] == "user"
        assert items[0]["owner"]["username"] == "bob"
    _, _, users = fake.api("/users?username=bob")
    assert [u["id"] for u in users] == [7]
    assert fake.api("/users?username=carol")[2] == []
    _, _, v = fake.api("/version")
    assert "version" in v and "revision" in v


def test_subgroup_only_membership(fake):
    _, _, g = fake.api("/groups/hidden%2Finvited")
    assert g["parent_id"] is not None
    # GroupPolicy has_projects: a project below it makes the parent readable
    _, _, parent = fake.api(f"/groups/{g['parent_id']}")
    assert parent["full_path"] == "hidden" and parent["projects"] == []
    _, _, items = fake.api("/groups/hidden%2Finvited/projects")
    assert paths(items, "path_with_namespace") == ["hidden/invited/work"]


def test_external_url(start_fake):
    fake = start_fake(spec=SPEC, external_url="https://gitlab.example.com:8443/")
    _, h, items = fake.api("/groups/alpha/projects?per_page=1")
    assert link_rels(h["link"])["next"].startswith(
        "https://gitlab.example.com:8443/api/v4/groups/alpha/projects?")
    p = items[0]
    full = p["path_with_namespace"]
    assert p["http_url_to_repo"] == f"https://gitlab.example.com:8443/{full}.git"
    assert p["ssh_url_to_repo"] == f"git@gitlab.example.com:{p['path_with_namespace']}.git"
    assert p["web_url"] == f"https://gitlab.example.com:8443/{p['path_with_namespace']}"


def test_group_order_ties_break_by_id_ascending(start_fake):
    fake = start_fake(spec={"groups": [{"name": "Same", "path": "s1"}, {"name": "Zed"},
                                       {"name": "Same", "path": "s2"}]})
    _, _, items = fake.api("/groups?sort=desc")
    assert [g["path"] for g in items] == ["zed", "s1", "s2"]
    _, _, items = fake.api("/groups?order_by=id&sort=desc")
    assert [g["path"] for g in items] == ["s2", "zed", "s1"]
    # projects break ties by id in the asked direction
    fake = start_fake(spec={"groups": [{"name": "G", "projects": [
        {"name": "P", "path": "p1"}, {"name": "P", "path": "p2"}]}]})
    _, _, items = fake.api("/groups/g/projects?order_by=name&sort=desc")
    assert [p["path"] for p in items] == ["p2", "p1"]


def test_anonymous_callers_see_public_content(start_fake):
    fake = start_fake(spec=SPEC, anonymous=True)
    _, _, items = fake.api("/groups", token=None)
    assert paths(items) == ["stranger"]
    _, _, items = fake.api("/groups?owned=true", token=None)
    assert items == []
    _, _, items = fake.api("/projects", token=None)
    assert paths(items, "path_with_namespace") == ["stranger/open"]
    assert fake.api("/projects?membership=true", token=None)[2] == []
    assert fake.api("/groups/alpha", token=None)[0::2] == (404, {"message": "404 Group Not Found"})
    assert fake.api("/user", token=None)[0::2] == (401, {"message": "401 Unauthorized"})
    assert fake.api("/groups", token="wrong")[0] == 401
    # a token still sees everything it is allowed to
    assert len(fake.api("/groups")[2]) == 6
