"""git over SSH (--ssh-host-key): OpenSSH's own client against the fake's
GitLab Shell stand-in: clone, the URL GitLab gives for a non-standard port,
pushes refused, unknown projects and keys refused, as GitLab Shell does."""
import json
import subprocess

from fake import DEMO_SPEC


def git(*args, env, cwd=None):
    return subprocess.run(["git", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60)


def test_clone_over_ssh_and_the_url_gitlab_gives(start_fake, ssh_env, tmp_path):
    fake = start_fake(spec=DEMO_SPEC, ssh=True)
    _, _, p = fake.api("/projects/acme%2Fwebsite")
    assert p["ssh_url_to_repo"] == (f"ssh://{fake.ssh_user}@127.0.0.1:{fake.ssh_port}"
                                    "/acme/website.git")
    env = ssh_env(fake)
    proc = git("clone", "-q", p["ssh_url_to_repo"], str(tmp_path / "w"), env=env)
    assert proc.returncode == 0, proc.stderr
    truth = {t["path_with_namespace"]: t for t in fake.truth()["projects"]}
    head = git("rev-parse", "HEAD", env=env, cwd=tmp_path / "w").stdout.strip()
    assert head == truth["acme/website"]["repo_branches"]["main"]
    # push: refused with GitLab Shell's words
    proc = git("push", p["ssh_url_to_repo"], "HEAD:refs/heads/x", env=env, cwd=tmp_path / "w")
    assert proc.returncode != 0
    assert "You are not allowed to push code to this project." in proc.stderr
    # a project that does not exist
    proc = git("ls-remote", p["ssh_url_to_repo"].replace("website", "nothing"), env=env)
    assert proc.returncode != 0 and "could not be found" in proc.stderr


def test_without_ssh_the_urls_are_gitlabs_default(start_fake):
    fake = start_fake(spec=DEMO_SPEC)
    _, _, p = fake.api("/projects/acme%2Fwebsite")
    assert p["ssh_url_to_repo"] == "git@127.0.0.1:acme/website.git"
    status, _, body = fake.request("GET", "/_fake/ssh")
    assert (status, json.loads(body)) == (200, {"port": None, "user": None})


def test_a_key_not_authorized_is_refused(start_fake, ssh_env, tmp_path):
    fake = start_fake(spec=DEMO_SPEC, ssh=True)
    other = tmp_path / "other"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)],
                   check=True)
    _, _, p = fake.api("/projects/acme%2Fwebsite")
    proc = git("ls-remote", p["ssh_url_to_repo"], env=ssh_env(fake, other))
    assert proc.returncode != 0 and "Permission denied" in proc.stderr
