"""More of the crawl against the fake GitLab's truth (test_crawl.py has the
rest): a hand-made tree with deep nesting, 260 projects in one listing,
names with spaces, Unicode and dots, empty groups, archived and shared
projects; --group on a subgroup by id, -g matching subgroups, and random
faults."""
import json
import os
import tempfile

import pytest

from fake import FakeGitLab

BIG = 260  # projects in one group: three pages of 100, fetched in parallel

RICH_SPEC = {
    "user_projects": [{"name": "dotfiles"}],
    "groups": [
        {"name": "Deep", "path": "deep", "subgroups": [
            {"name": "D1", "projects": [{"name": "at-1"}], "subgroups": [
                {"name": "D2", "subgroups": [
                    {"name": "D3", "subgroups": [
                        {"name": "D4", "subgroups": [
                            {"name": "D5", "subgroups": [
                                {"name": "D6", "projects": [{"name": "bottom"}]}]}]}]}]}]}]},
        {"name": "Équipe Données.v2", "path": "equipe-donnees.v2",
         "projects": [{"name": "Old Stuff", "archived": True},
                      {"name": "x.y.z", "path": "x.y.z"}],
         "subgroups": [
             {"name": "Sous groupe 日本", "path": "sous-groupe-ja",
              "projects": [{"name": "Lac de données"}, {"name": "rétro", "archived": True}]},
             {"name": "Vide"}]},
        {"name": "Big", "projects": [{"name": f"p-{i:03d}"} for i in range(BIG)]},
        {"name": "Empty"},
        {"name": "Partners", "projects": [
            {"name": "Portal", "shared_with": ["deep/d1/d2", "empty"]},
            {"name": "Legacy", "archived": True, "shared_with": ["deep/d1"]}]},
    ],
}


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    fake = FakeGitLab(spec=RICH_SPEC, workdir=tmp_path_factory.mktemp("rich"))
    yield fake
    fake.stop()


def walk(node):
    yield node
    for child in node.get("children", []):
        yield from walk(child)


def env_of(fake, extra=None):
    return {"GITLAB_URL": fake.url, "GITLAB_TOKEN": fake.token, **(extra or {})}


def crawl(run_glmirror, fake, *args, env=None, code=0):
    """(process, {root_path: node} of the tree file written with -n path)."""
    with tempfile.TemporaryDirectory(prefix="crawl-") as tmp:
        tree = os.path.join(tmp, "tree.json")
        proc = run_glmirror(["-p", "-n", "path", "--tree-out", tree, *args],
                            env=env_of(fake, env))
        assert proc.returncode == code, proc.stderr
        if not os.path.exists(tree):
            return proc, {}
        with open(tree, encoding="utf-8") as f:
            root = json.load(f)
    return proc, {n["root_path"]: n for n in walk(root) if n["type"] != "root"}


def kinds(nodes, kind):
    """The root paths of the projects, or of the groups (gitlabber's "subgroup" too)."""
    want = ("group", "subgroup") if kind == "group" else (kind,)
    return {p for p, n in nodes.items() if n["type"] in want}


def truth_sets(fake, archived="include", shared=False, under=None):
    """(groups, projects) as root paths the way glmirror -n path names them.
    under: a group's full path, the only subtree crawled (it becomes a root)."""
    t = fake.truth()
    groups = {g["full_path"] for g in t["groups"]}
    projects = set()
    for p in t["projects"]:
        if p["namespace_kind"] != "group":
            continue
        if (archived == "exclude" and p["archived"]) or (archived == "only" and not p["archived"]):
            continue
        projects.add(p["path_with_namespace"])
        if shared:
            projects.update(f"{g}/{p['path']}" for g in p["shared_with"])
    if under is not None:
        cut = len(under.rsplit("/", 1)[0]) + 1 if "/" in under else 0
        keep = lambda s: s == under or s.startswith(under + "/")  # noqa: E731
        groups = {g[cut:] for g in groups if keep(g)}
        projects = {p[cut:] for p in projects if keep(p)}
    return {"/" + g for g in groups}, {"/" + p for p in projects}


# ---- the tree equals the truth -------------------------------------------------------------


def test_rich_tree_equals_the_truth(run_glmirror, rich):
    rich.reset_stats()
    _, got = crawl(run_glmirror, rich)
    groups, projects = truth_sets(rich)
    assert kinds(got, "group") == groups
    assert kinds(got, "project") == projects
    assert "/deep/d1/d2/d3/d4/d5/d6/bottom" in projects and "/empty" in groups
    assert not any(n.get("shared") for n in got.values())
    # the 260 projects of Big came in three pages, pages 2 and 3 queued at once
    big = [r["path"] for r in rich.stats()["requests"] if "/projects" in r["path"]
           and r["path"].startswith(f"/api/v4/groups/{got['/big']['id']}/")]
    assert sorted(p.rsplit("page=", 1)[1] for p in big) == ["1", "2", "3"], big


def test_names_with_spaces_unicode_and_dots(run_glmirror, rich):
    proc = run_glmirror(["-p", "--print-format", "json", "-n", "name"], env=env_of(rich))
    assert proc.returncode == 0, proc.stderr
    t = rich.truth()
    names = {n["root_path"] for n in walk(json.loads(proc.stdout)) if n["type"] != "root"}
    want = {"/" + g["full_name"].replace(" / ", "/") for g in t["groups"]}
    want |= {"/" + p["name_with_namespace"].replace(" / ", "/") for p in t["projects"]
             if p["namespace_kind"] == "group"}
    assert names == want
    assert "/Équipe Données.v2/Sous groupe 日本/Lac de données" in names


@pytest.mark.parametrize("mode", ["exclude", "only"])
def test_archived_modes(run_glmirror, rich, mode):
    _, got = crawl(run_glmirror, rich, "-a", mode)
    _, projects = truth_sets(rich, archived=mode)
    assert kinds(got, "project") == projects


def test_shared_projects_only_with_s(run_glmirror, rich):
    _, plain = crawl(run_glmirror, rich)
    _, got = crawl(run_glmirror, rich, "-s")
    _, projects = truth_sets(rich, shared=True)
    assert kinds(got, "project") == projects
    shared = {p for p, n in got.items() if n.get("shared")}
    assert shared == {"/deep/d1/d2/portal", "/empty/portal", "/deep/d1/legacy"}
    assert not shared & kinds(plain, "project")
    _, excl = crawl(run_glmirror, rich, "-s", "-a", "exclude")
    assert {p for p, n in excl.items() if n.get("shared")} == {"/deep/d1/d2/portal",
                                                              "/empty/portal"}


@pytest.mark.parametrize("by", ["path", "id"])
def test_group_option_on_a_subgroup(run_glmirror, rich, by):
    sub = "deep/d1/d2"
    ref = sub if by == "path" else str(next(g["id"] for g in rich.truth()["groups"]
                                            if g["full_path"] == sub))
    rich.reset_stats()
    _, got = crawl(run_glmirror, rich, "--group", ref, "--group", "equipe-donnees.v2")
    g1, p1 = truth_sets(rich, under=sub)
    g2, p2 = truth_sets(rich, under="equipe-donnees.v2")
    assert kinds(got, "group") == g1 | g2
    assert kinds(got, "project") == p1 | p2
    assert "/d2/d3/d4/d5/d6/bottom" in p1
    # only those subtrees were asked for: no listing of the instance
    assert not any(r["path"].startswith("/api/v4/groups?") for r in rich.stats()["requests"])


@pytest.mark.parametrize("term, under", [("donn", "equipe-donnees.v2"),
                                         ("ja", "equipe-donnees.v2/sous-groupe-ja"),
                                         ("d4", "deep/d1/d2/d3/d4")])
def test_group_search_top_groups_and_subgroups(run_glmirror, rich, term, under):
    _, got = crawl(run_glmirror, rich, "-g", term)
    groups, projects = truth_sets(rich, under=under)
    assert kinds(got, "group") == groups and kinds(got, "project") == projects


# ---- failing answers --------------------------------------------------------------------------


def test_random_faults_still_give_the_exact_tree(run_glmirror, fake_gitlab):
    fake = fake_gitlab(generate="groups=5,subgroups=3,depth=2,projects=3", seed=7,
                       faults="5xx=0.1,reset=0.05,truncate=0.05,badjson=0.05")
    _, got = crawl(run_glmirror, fake, "--api-retries", "8")
    groups, projects = truth_sets(fake)
    assert kinds(got, "group") == groups and kinds(got, "project") == projects
    assert sum(n for s, n in fake.stats()["by_status"].items() if s != "200") > 0
