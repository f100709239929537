"""The names GitLab puts in its answers: external_url (Link headers,
web_url, http_url_to_repo) differs from the address clients reach, and
gitlab_shell.ssh_host (ssh_url_to_repo) differs from both."""
import json
import subprocess

from fake import DEMO_SPEC, link_rels


def git(*args, env, cwd=None):
    return subprocess.run(["git", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60)


def test_external_url_everywhere_git_on_the_listening_address(start_fake, git_env):
    fake = start_fake(spec=DEMO_SPEC, external_url="http://gitlab.invalid")
    _, h, items = fake.api("/groups/acme/projects?per_page=1")
    rels = link_rels(h["link"])
    assert set(rels) >= {"next", "first", "last"}
    assert all(u.startswith("http://gitlab.invalid/api/v4/groups/acme/projects?")
               for u in rels.values())
    p = items[0]
    assert p["web_url"] == f"http://gitlab.invalid/{p['path_with_namespace']}"
    assert p["http_url_to_repo"] == f"http://gitlab.invalid/{p['path_with_namespace']}.git"
    assert p["ssh_url_to_repo"] == f"git@gitlab.invalid:{p['path_with_namespace']}.git"
    # the same path on the address the fake listens on serves git
    url = p["http_url_to_repo"].replace("http://gitlab.invalid", fake.url)
    proc = git("ls-remote", url, env=git_env(fake.token))
    assert proc.returncode == 0 and "refs/heads/" in proc.stdout, proc.stderr


def test_external_url_with_a_relative_root(start_fake, git_env):
    # GitLab under a relative URL root serves everything below its path
    fake = start_fake(spec=DEMO_SPEC, external_url="https://example.invalid/gitlab")
    status, h, body = fake.request("GET", "/gitlab/api/v4/groups/acme/projects?per_page=1",
                                   headers={"PRIVATE-TOKEN": fake.token})
    assert status == 200
    items = json.loads(body)
    assert link_rels(h["link"])["next"].startswith(
        "https://example.invalid/gitlab/api/v4/groups/acme/projects?")
    path = items[0]["path_with_namespace"]
    assert items[0]["http_url_to_repo"] == f"https://example.invalid/gitlab/{path}.git"
    proc = git("ls-remote", f"{fake.url}/gitlab/{path}.git", env=git_env(fake.token))
    assert proc.returncode == 0, proc.stderr


def test_ssh_url_host_differs_from_the_web_host(start_fake, ssh_env):
    fake = start_fake(spec=DEMO_SPEC, ssh=True, ssh_url_host="localhost")
    _, _, p = fake.api("/projects/acme%2Fwebsite")
    assert p["ssh_url_to_repo"] == (f"ssh://{fake.ssh_user}@localhost:{fake.ssh_port}"
                                    "/acme/website.git")
    assert p["http_url_to_repo"].startswith("http://127.0.0.1:")
    # localhost reaches the sshd listening on 127.0.0.1
    env = ssh_env(fake, host="localhost")
    proc = git("ls-remote", p["ssh_url_to_repo"], env=env)
    assert proc.returncode == 0 and "refs/heads/main" in proc.stdout, proc.stderr
