"""GitLab as an ordinary member meets it, not as the kind fake of the first
version did (issue 11): ancestor groups in every group listing, projects of
unlisted subgroups in a subtree's project listing, Guests and disabled
repositories, delayed deletion, an external_url that is not --url, a
separate SSH host, OAuth tokens, tokens without read_api, searches that
match whole subtrees, and a GitLab that changes while it is read."""
import json
import threading
import time

import pytest

from crawlcheck import tree_shape

MEMBER = 30  # Developer
GUEST = 10

# The token is a Developer of org/team-a only (and a Guest of org/guests).
# GitLab lists org for it (an ancestor), never org/team-b, but lists
# org/team-b's public and internal projects under org's subtree.
MEMBER_SPEC = {
    "groups": [
        {"name": "Org", "path": "org", "access_level": 0, "visibility": "public",
         "projects": [{"name": "handbook", "visibility": "public"},
                      {"name": "secret-plans", "visibility": "private"}],
         "subgroups": [
             {"name": "Team A", "path": "team-a", "access_level": MEMBER,
              "projects": [{"name": "api"}, {"name": "web"},
                           {"name": "wiki-only", "repository_access_level": "disabled"},
                           {"name": "old-thing", "deletion_scheduled": True}],
              "subgroups": [{"name": "Infra", "path": "infra",
                             "projects": [{"name": "terraform"}]}]},
             {"name": "Team B", "path": "team-b", "access_level": 0, "visibility": "public",
              "projects": [{"name": "public-lib", "visibility": "public"},
                           {"name": "internal-tool", "visibility": "internal"},
                           {"name": "private-b", "visibility": "private"}]},
             {"name": "Guests", "path": "guests", "access_level": GUEST,
              "projects": [{"name": "hidden-code", "visibility": "private"}]},
         ]},
        {"name": "Elsewhere", "path": "elsewhere", "access_level": 0, "visibility": "public",
         "projects": [{"name": "open", "visibility": "public"}]},
    ],
}


def get_all(fake, path):
    """Every item of a GitLab listing, page by page, as python-gitlab's list(all=True)."""
    items, page = [], 1
    for _ in range(1000):
        sep = "&" if "?" in path else "?"
        status, headers, body = fake.api(f"{path}{sep}per_page=100&page={page}")
        assert status == 200, (path, status, body)
        items += body
        nxt = headers.get("x-next-page") or headers.get("X-Next-Page")
        if not nxt:
            return items
        page = int(nxt)
    raise AssertionError(f"{path}: pagination does not end")


def gitlabber_shape(fake):
    """gitlabber's tree for the fake's token, from its documented walk:
    groups.list(), the top-level ones, then per group projects.list() and
    subgroups.list(), recursively (shared projects left out, as glmirror's
    default)."""
    shape = set()

    def walk(group, parent):
        shape.add(("group", group["id"], group["full_path"], parent, False))
        for p in get_all(fake, f"/groups/{group['id']}/projects?with_shared=false"):
            shape.add(("project", p["id"], p["path_with_namespace"], group["full_path"],
                       False))
        for sub in get_all(fake, f"/groups/{group['id']}/subgroups"):
            walk(sub, group["full_path"])
    for g in get_all(fake, "/groups"):
        if g["parent_id"] is None:
            walk(g, "")
    return shape


def env_of(fake, **extra):
    return {"GITLAB_URL": fake.url, "GITLAB_TOKEN": fake.token, **extra}


def crawl_tree(run_glmirror, fake, tmp_path, *args, env=None):
    tree = tmp_path / "tree.json"
    proc = run_glmirror(["-p", "-n", "path", "--tree-out", tree, *args],
                        env=env or env_of(fake))
    return proc, (json.loads(tree.read_text()) if tree.exists() else None)


def test_a_member_of_one_subgroup_gets_gitlabbers_tree(fake_gitlab, run_glmirror, tmp_path):
    fake = fake_gitlab(spec=MEMBER_SPEC)
    want = gitlabber_shape(fake)
    deleting = {p["path_with_namespace"] for p in fake.truth()["projects"]
                if p["name"].startswith("old-thing")}
    assert deleting, "the spec has a project scheduled for deletion"
    want = {s for s in want if s[2] not in deleting}
    # the case the issue is about: GitLab shows an ancestor and other teams' projects
    assert ("group", 1, "org", "", False) in want or any(s[2] == "org" for s in want)
    assert not any(s[2].startswith("org/team-b") for s in want)

    proc, doc = crawl_tree(run_glmirror, fake, tmp_path, "--verbose")
    assert proc.returncode == 0, proc.stderr
    assert "error" not in proc.stderr.lower(), proc.stderr
    assert tree_shape(doc) == want
    assert "left out" in proc.stderr  # team-b's projects, counted with --verbose

    # the sync clones what it may read and skips, not fails, the rest
    dest, report = tmp_path / "dest", tmp_path / "report.jsonl"
    proc = run_glmirror(["-m", "http", "-n", "path", "-c", "2", "--report", report, dest],
                        env=env_of(fake))
    assert proc.returncode == 0, proc.stderr
    records = {r["path"]: r for r in map(json.loads, report.read_text().splitlines())}
    skipped = {p for p, r in records.items() if r["result"] == "skipped"}
    assert skipped == {"/org/team-a/wiki-only", "/org/guests/hidden-code"}, records
    for path in skipped:
        assert "may not read" in records[path]["reason"]
        assert not (dest / path.lstrip("/")).exists()
    assert (dest / "org/team-a/infra/terraform/.git").is_dir()
    assert (dest / "org/handbook/.git").is_dir()


def test_deletion_scheduled_projects_come_back_on_request(fake_gitlab, run_glmirror,
                                                          tmp_path):
    fake = fake_gitlab(spec=MEMBER_SPEC)
    proc, doc = crawl_tree(run_glmirror, fake, tmp_path, "--include-deletion-scheduled")
    assert proc.returncode == 0, proc.stderr
    assert any("deletion_scheduled" in s[2] for s in tree_shape(doc))


@pytest.mark.parametrize("scope,has_team_b,has_handbook", [
    ("all", True, True), ("member", False, False)])
def test_scope(fake_gitlab, run_glmirror, tmp_path, scope, has_team_b, has_handbook):
    fake = fake_gitlab(spec=MEMBER_SPEC)
    proc, doc = crawl_tree(run_glmirror, fake, tmp_path, "--scope", scope)
    assert proc.returncode == 0, proc.stderr
    paths = {s[2] for s in tree_shape(doc)}
    assert ("org/team-b/public-lib" in paths) == has_team_b, paths
    assert ("org/handbook" in paths) == has_handbook, paths
    assert "org/team-a/infra/terraform" in paths
    assert ("elsewhere/open" in paths) == (scope == "all")


def test_search_lists_each_subtree_once(fake_gitlab, run_glmirror, tmp_path):
    # "team" matches team-a by its path, and infra below it by its full path
    fake = fake_gitlab(spec=MEMBER_SPEC)
    proc, doc = crawl_tree(run_glmirror, fake, tmp_path, "-g", "team", "--verbose")
    assert proc.returncode == 0, proc.stderr
    tops = [c["full_path"] for c in doc["children"]]
    assert tops == ["org/team-a"], tops
    shape = tree_shape(doc)
    assert ("group", next(s[1] for s in shape if s[2] == "org/team-a/infra"),
            "org/team-a/infra", "org/team-a", False) in shape
    listings = [line for line in fake.log_lines() if "/descendant_groups" in line]
    assert len(listings) == 1, listings


def test_oauth_token_works_as_bearer(fake_gitlab, run_glmirror, tmp_path):
    fake = fake_gitlab(spec=MEMBER_SPEC, oauth_token="oauth-abcdef0123456789")
    env = env_of(fake, GITLAB_TOKEN="oauth-abcdef0123456789")
    proc, doc = crawl_tree(run_glmirror, fake, tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    dest = tmp_path / "dest"
    proc = run_glmirror(["-m", "http", "-n", "path", "-i", "/org/team-a/api", dest], env=env)
    assert proc.returncode == 0, proc.stderr
    assert (dest / "org/team-a/api/.git").is_dir()


def test_token_without_read_api_says_so(fake_gitlab, run_glmirror, tmp_path):
    fake = fake_gitlab(spec=MEMBER_SPEC, no_read_api_token="glpat-repo-only-000000000")
    proc, _ = crawl_tree(run_glmirror, fake, tmp_path,
                         env=env_of(fake, GITLAB_TOKEN="glpat-repo-only-000000000"))
    assert proc.returncode == 3, proc.stderr
    assert "read_api" in proc.stderr


def test_external_url_is_not_the_url_asked(fake_gitlab, run_glmirror, tmp_path):
    """GitLab behind another name: every Link and clone URL names the external
    URL, which does not even resolve here."""
    fake = fake_gitlab(generate="groups=1,subgroups=0,depth=1,projects=250",
                       external_url="http://gitlab.invalid:8929/gitlab")
    status, headers, _ = fake.api("/groups/1/projects?per_page=100")
    assert "gitlab.invalid" in (headers.get("link") or headers.get("Link"))
    dest, report = tmp_path / "dest", tmp_path / "report.jsonl"
    proc = run_glmirror(["-m", "http", "-n", "path", "-c", "4", "--report", report, dest],
                        env=env_of(fake), timeout=300)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in report.read_text().splitlines()]
    assert len(records) == 250
    assert {r["result"] for r in records} == {"cloned"}, records[:3]
    assert fake.token not in proc.stderr


def test_links_without_page_numbers_are_asked_of_the_url(fake_gitlab, run_glmirror, tmp_path):
    """Only a Link names the next page, on the external URL: glmirror asks
    --url for the same endpoint."""
    fake = fake_gitlab(generate="groups=1,subgroups=0,depth=1,projects=250",
                       external_url="http://gitlab.invalid")
    fake.control("override", path_regex=r"/groups/[^/?]+/projects",
                 headers={"X-Next-Page": None, "X-Total-Pages": None, "X-Total": None})
    proc, doc = crawl_tree(run_glmirror, fake, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sum(1 for s in tree_shape(doc) if s[0] == "project") == 250


def project_ids(fake, group):
    return sorted(p["id"] for p in fake.truth()["projects"]
                  if p["namespace_full_path"] == group)


def test_projects_deleted_while_the_listing_is_read(fake_gitlab, run_glmirror, tmp_path):
    """Deleting the oldest and newest projects while the pages of a
    2,000-project listing are read never loses an untouched one."""
    fake = fake_gitlab(generate="groups=1,subgroups=0,depth=1,projects=2000", latency=100)
    group = fake.truth()["groups"][0]["full_path"]
    rereads = 0
    for _ in range(3):
        ids = project_ids(fake, group)
        doomed = set(ids[:10] + ids[-10:])
        by_id = {p["id"]: p["path_with_namespace"] for p in fake.truth()["projects"]}
        before = len(fake.log_lines())
        pages_seen = threading.Event()

        def listing_requests(since=before):
            return [line for line in fake.log_lines()[since:] if "/projects?" in line]

        def delete_while_reading():
            # once three pages of the listing have been answered, delete
            for _ in range(3000):
                if len(listing_requests()) >= 3:
                    break
                time.sleep(0.01)
            pages_seen.set()
            for pid in sorted(doomed):
                fake.control("delete", project=by_id[pid])

        t = threading.Thread(target=delete_while_reading)
        t.start()
        proc, doc = crawl_tree(run_glmirror, fake, tmp_path, "--api-concurrency", "4",
                               "--verbose")
        t.join(60)
        assert pages_seen.is_set()
        assert proc.returncode == 0, proc.stderr
        got = {s[1] for s in tree_shape(doc) if s[0] == "project"}
        untouched = set(ids) - doomed
        assert untouched <= got, sorted(untouched - got)[:10]
        rereads += sum(1 for line in listing_requests() if "&page=1 " in line) - 1
    assert rereads >= 1, "no run saw the listing change while reading it"


def test_a_listing_without_totals_that_changes_while_read(fake_gitlab, run_glmirror, tmp_path):
    """A listing above the totals limit is read a window of pages at a time.
    Older projects moved into it while it is read shift its later pages; the
    ids then stop ascending from page to page, the listing is read again,
    and the tree holds every project that was in the group before and after,
    the moved ones and the new ones."""
    fake = fake_gitlab(generate="groups=2,subgroups=0,depth=1,projects=900",
                       totals_limit=300, latency=100)
    rereads = 0
    for run in range(3):
        before_ids = set(project_ids(fake, "group-1"))
        movers = project_ids(fake, "group-0")[:10]
        by_id = {p["id"]: p["path_with_namespace"] for p in fake.truth()["projects"]}
        since = len(fake.log_lines())
        pages_seen = threading.Event()

        def listing_requests():
            return [line for line in fake.log_lines()[since:]
                    if "/groups/2/projects?" in line]

        def change_while_reading(run=run):
            # once two pages of group-1's listing have been answered
            for _ in range(3000):
                if len(listing_requests()) >= 2:
                    break
                time.sleep(0.01)
            pages_seen.set()
            for pid in movers:
                fake.control("move", project=by_id[pid], to="group-1")
            fake.control("create_project", namespace="group-1", name=f"new-{run}")

        t = threading.Thread(target=change_while_reading)
        t.start()
        proc, doc = crawl_tree(run_glmirror, fake, tmp_path, "--group", "group-1",
                               "--api-concurrency", "4", "--verbose")
        t.join(60)
        assert pages_seen.is_set()
        assert proc.returncode == 0, proc.stderr
        got = {s[1] for s in tree_shape(doc) if s[0] == "project"}
        assert before_ids <= got, sorted(before_ids - got)[:10]
        reread = sum(1 for line in listing_requests() if "&page=1 " in line) - 1
        if reread:
            assert set(project_ids(fake, "group-1")) == got
        rereads += reread
    assert rereads >= 1, "no run saw the listing change while reading it"


def test_a_separate_ssh_host(fake_gitlab, run_glmirror, tmp_path, monkeypatch):
    """ssh_url_to_repo names gitlab_shell.ssh_host (here localhost), not
    --url's host (127.0.0.1); its key is checked in known_hosts."""
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    fake = fake_gitlab(spec=MEMBER_SPEC, ssh=True, ssh_url_host="localhost")
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    dest = tmp_path / "dest"
    args = ["-m", "ssh", "-n", "path", "--ssh-key", fake.ssh_key, "-i", "/org/team-a/api", dest]
    env = env_of(fake, HOME=str(home))
    # an unknown host key for [localhost]:port is refused, naming that host
    proc = run_glmirror(args, env=env)
    assert proc.returncode == 1, proc.stderr
    assert f"[localhost]:{fake.ssh_port}" in proc.stderr
    assert not (dest / "org/team-a/api").exists()
    (home / ".ssh/known_hosts").write_text(
        fake.ssh_host_line.replace("[127.0.0.1]", "[localhost]") + "\n")
    proc = run_glmirror(args, env=env)
    assert proc.returncode == 0, proc.stderr
    assert (dest / "org/team-a/api/.git").is_dir()


def test_a_git_refusal_of_the_code_is_a_skip(fake_gitlab, run_glmirror, tmp_path):
    """A tree file that does not say so (an older tree, or access lost
    since): git's 403 makes glmirror ask GitLab, which says no read_code."""
    fake = fake_gitlab(spec=MEMBER_SPEC)
    proc, doc = crawl_tree(run_glmirror, fake, tmp_path)
    assert proc.returncode == 0, proc.stderr

    def forget(node):
        node.pop("no_code_access", None)
        for child in node.get("children", []):
            forget(child)
    forget(doc)
    tree = tmp_path / "old-tree.json"
    tree.write_text(json.dumps(doc))
    dest, report = tmp_path / "dest", tmp_path / "report.jsonl"
    proc = run_glmirror(["-f", tree, "-m", "http", "-n", "path", "-c", "2", "-i", "/org/guests/**",
                         "--report", report, dest], env=env_of(fake))
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in report.read_text().splitlines()]
    assert [(r["path"], r["result"]) for r in records] == [("/org/guests/hidden-code",
                                                            "skipped")]
    assert "may not read" in records[0]["reason"]
    assert not (dest / "org/guests/hidden-code").exists()
    # git was refused with 403, then the project was asked for
    log = fake.log_lines()
    assert any("hidden-code.git/info/refs" in line and " 403 " in line for line in log), log
    assert any(line.startswith("GET /api/v4/projects/") for line in log), log
