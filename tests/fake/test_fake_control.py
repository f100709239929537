"""The /_fake/ control endpoints change the instance like GitLab users would."""
import subprocess

import pytest
from fake import DEMO_SPEC


def git(*args, env, cwd=None, check=True):
    proc = subprocess.run(["git", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60)
    if not check:
        return proc
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def project_paths(fake, group):
    _, _, items = fake.api(f"/groups/{group}/projects?include_subgroups=true&per_page=100")
    return sorted(p["path_with_namespace"] for p in items)


@pytest.fixture
def fake(start_fake):
    return start_fake(spec=DEMO_SPEC)


def test_rename_and_move_project_keep_the_repository(fake, git_env, tmp_path):
    env = git_env(fake.token)
    head = git("ls-remote", fake.clone_url("acme/platform/deploy"), "HEAD", env=env)
    fake.control("rename", project="acme/platform/deploy", name="Deploy Tools",
                 path="deploy-tools")
    assert fake.api("/projects/acme%2Fplatform%2Fdeploy")[0] == 404
    _, _, p = fake.api("/projects/acme%2Fplatform%2Fdeploy-tools")
    assert p["name"] == "Deploy Tools" and p["id"] == 8
    fake.control("move", project=8, to="partners")
    assert "partners/deploy-tools" in project_paths(fake, "partners")
    assert git("ls-remote", fake.clone_url("partners/deploy-tools"), "HEAD", env=env) == head
    fake.control("move", project=8, to="alice")
    _, _, items = fake.api("/users/alice/projects")
    assert "alice/deploy-tools" in [p["path_with_namespace"] for p in items]


def test_rename_and_move_group_rewrite_descendants(fake):
    fake.control("rename", group="acme/equipe-donnees", path="data", name="Data Team")
    assert "acme/data/ml-models/forecasting" in project_paths(fake, "acme")
    _, _, g = fake.api("/groups/acme%2Fdata%2Fml-models")
    assert g["full_name"] == "Acme Corp / Data Team / Modèles ML"
    fake.control("move", group="acme/data", to="partners")
    assert "partners/data/ml-models/forecasting" in project_paths(fake, "partners")
    fake.control("move", group="partners/data", to=None)
    _, _, g = fake.api("/groups/data")
    assert g["parent_id"] is None
    with pytest.raises(RuntimeError):
        fake.control("move", group="data", to="data/ml-models")


def test_delete_archive_share(fake):
    fake.control("delete", project="acme/website")
    assert fake.api("/projects/acme%2Fwebsite")[0] == 404
    fake.control("archive", project="acme/platform/deploy")
    _, _, p = fake.api("/projects/acme%2Fplatform%2Fdeploy")
    assert p["archived"] is True
    fake.control("archive", project="acme/platform/deploy", archived=False)
    fake.control("share", project="acme/platform/deploy", group="partners")
    assert "acme/platform/deploy" in project_paths(fake, "partners")
    fake.control("delete", group="acme/platform")
    truth = fake.truth()
    assert not any(p["path_with_namespace"].startswith("acme/platform/")
                   for p in truth["projects"])
    assert "acme/platform" not in [g["full_path"] for g in truth["groups"]]
    assert project_paths(fake, "partners") == ["partners/portal"]
    with pytest.raises(RuntimeError):
        fake.control("delete", project="acme/website")


def test_create_project_and_group(fake, git_env, tmp_path):
    g = fake.control("create_group", parent="acme", name="New Team")
    assert g["full_path"] == "acme/new-team"
    p = fake.control("create_project", namespace="acme/new-team", name="Fresh Start", commits=2)
    assert p["path_with_namespace"] == "acme/new-team/fresh-start"
    _, _, items = fake.api("/groups/acme/projects?include_subgroups=true")
    assert items[0]["id"] == p["id"]  # newest first
    env = git_env(fake.token)
    git("clone", fake.clone_url(p["path_with_namespace"]), str(tmp_path / "f"), env=env)
    assert git("rev-list", "--count", "HEAD", env=env, cwd=tmp_path / "f") == "2"
    e = fake.control("create_project", namespace="alice", name="Blank", empty=True)
    assert e["empty"] and e["default_branch"] is None


def test_push_and_delete_branch(fake, git_env):
    env = git_env(fake.token)
    out = fake.control("push", project="acme/website", branch="feature", message="feat")
    assert out["branch"] == "feature"
    refs = git("ls-remote", "--heads", fake.clone_url("acme/website"), env=env)
    assert f"{out['commit']}\trefs/heads/feature" in refs
    before = fake.api("/projects/1")[2]["last_activity_at"]
    fake.control("delete_branch", project="acme/website", branch="redesign")
    refs = git("ls-remote", "--heads", fake.clone_url("acme/website"), env=env)
    assert "redesign" not in refs and "feature" in refs
    truth = {p["id"]: p for p in fake.truth()["projects"]}
    assert set(truth[1]["repo_branches"]) == {"main", "feature"}
    assert fake.api("/projects/1")[2]["last_activity_at"] > before


def test_stats_and_log(fake):
    fake.reset_stats()
    fake.api("/groups?per_page=2")
    fake.api(f"/groups/2/projects?private_token={fake.token}", token=None)
    fake.api("/nope")
    s = fake.stats()
    assert s["total"] == 3 and s["api_total"] == 3
    assert s["by_route"] == {"GET /groups": 1, "GET /groups/:id/projects": 1,
                             "GET unknown": 1}
    assert s["by_status"] == {"200": 2, "404": 1}
    assert [r["path"] for r in s["requests"]] == [
        "/api/v4/groups?per_page=2", "/api/v4/groups/2/projects?private_token=[MASKED]",
        "/api/v4/nope"]
    assert "private-token" in [h.lower() for h in s["requests"][0]["headers"]]
    log = "\n".join(fake.log_lines())
    assert fake.token not in log
    assert "GET /api/v4/groups?per_page=2 200 " in log
    fake.reset_stats()
    assert fake.stats()["total"] == 0


def test_unknown_control_actions(fake):
    status, _, _ = fake.request("POST", "/_fake/explode", body=b"{}")
    assert status == 404
    status, _, _ = fake.request("POST", "/_fake/push", body=b"not json")
    assert status == 400
    with pytest.raises(RuntimeError):
        fake.control("faults", lightning=0.5)


def test_force_push_default_branch_and_update(fake, git_env, tmp_path):
    env = git_env(fake.token)
    dest = tmp_path / "w"
    git("clone", fake.clone_url("acme/website"), str(dest), env=env)
    old = git("rev-parse", "HEAD", env=env, cwd=dest)
    new = fake.control("push", project="acme/website", rewrite=True, message="rewritten")
    git("fetch", "-q", env=env, cwd=dest)
    assert git("merge-base", "--is-ancestor", old, "origin/main", env=env, cwd=dest,
               check=False).returncode == 1
    assert git("rev-parse", "origin/main", env=env, cwd=dest) == new["commit"]
    fake.control("default_branch", project="acme/website", branch="redesign")
    _, _, p = fake.api("/projects/acme%2Fwebsite")
    assert p["default_branch"] == "redesign"
    git("clone", fake.clone_url("acme/website"), str(tmp_path / "r"), env=env)
    assert git("branch", "--show-current", env=env, cwd=tmp_path / "r") == "redesign"
    with pytest.raises(RuntimeError):
        fake.control("default_branch", project="acme/website", branch="nope")
    fake.control("update", project="acme/website", visibility="public", description="d")
    _, _, p = fake.api("/projects/acme%2Fwebsite")
    assert (p["visibility"], p["description"]) == ("public", "d")
    fake.control("update", group="partners", access_level=0)
    assert fake.api("/groups/partners")[0] == 404
    with pytest.raises(RuntimeError):
        fake.control("update", project="acme/website", id=5)


def test_kill_and_stop(start_fake):
    fake = start_fake()
    fake.kill()
    with pytest.raises(OSError):
        fake.api("/version")
    fake.stop()
