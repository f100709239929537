"""The control endpoints for history that changes under a mirror: a
force-push and a default branch renamed (master -> main, old one deleted)."""
import subprocess

import pytest
from fake import DEMO_SPEC


def git(*args, env, cwd=None):
    proc = subprocess.run(["git", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.fixture
def fake(start_fake):
    return start_fake(spec=DEMO_SPEC)


def heads(fake, env, project):
    """{ref: sha} of the remote, and "HEAD" -> "ref: <what HEAD names>"."""
    out = git("ls-remote", "--symref", fake.clone_url(project), env=env)
    refs = {}
    for line in out.splitlines():
        value, ref = line.split("\t")
        refs.setdefault(ref, value)
    return refs


def test_force_push_replaces_the_tip(fake, git_env):
    env = git_env(fake.token)
    before = heads(fake, env, "acme/website")["refs/heads/main"]
    new = fake.control("force_push", project="acme/website")["commit"]
    truth = {p["path_with_namespace"]: p for p in fake.truth()["projects"]}
    assert truth["acme/website"]["repo_branches"]["main"] == new != before
    assert heads(fake, env, "acme/website")["refs/heads/main"] == new


def test_default_branch_renamed_moves_head_and_deletes_the_old_one(fake, git_env):
    env = git_env(fake.token)
    tip = heads(fake, env, "acme/website")["refs/heads/main"]
    fake.control("default_branch", project="acme/website", branch="trunk", **{"from": "main"},
                 delete_old=True)
    refs = heads(fake, env, "acme/website")
    assert refs["refs/heads/trunk"] == tip and "refs/heads/main" not in refs
    assert refs["HEAD"] == "ref: refs/heads/trunk"
    _, _, p = fake.api("/projects/acme%2Fwebsite")
    assert p["default_branch"] == "trunk"
    truth = {p["path_with_namespace"]: p for p in fake.truth()["projects"]}
    assert "main" not in truth["acme/website"]["branches"]
    with pytest.raises(RuntimeError):
        fake.control("default_branch", project="acme/website", branch="x", **{"from": "nope"})
