"""Projects whose code the user may not read: a Guest on a private project,
a disabled repository.  lib/api/entities/basic_project_details.rb leaves out
default_branch, readme_url and forks_count; git over HTTP answers 403 and
GitLab Shell prints lib/gitlab/git_access.rb's message."""
import base64
import http.client
import subprocess

DENIED = "You are not allowed to download code from this project."
SPEC = {"groups": [
    {"name": "Corp", "path": "corp", "access_level": 10, "projects": [
        {"name": "Guarded", "path": "guarded"},
        {"name": "Shown", "path": "shown", "visibility": "internal"}]},
    {"name": "Team", "path": "team", "projects": [
        {"name": "Docs Only", "path": "docs", "repository_access_level": "disabled"},
        {"name": "Code", "path": "code"}]},
]}
ADMIN = "glpat-admin-2"


def project(fake, path, token=None):
    kw = {} if token is None else {"token": token}
    status, _, p = fake.api("/projects/" + path.replace("/", "%2F"), **kw)
    assert status == 200
    return p


def git_get(fake, path, token):
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    cred = base64.b64encode(f"oauth2:{token}".encode()).decode()
    conn.request("GET", f"/{path}.git/info/refs?service=git-upload-pack",
                 headers={"Authorization": f"Basic {cred}"})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body


def test_fields_left_out_without_read_code(start_fake):
    fake = start_fake(spec=SPEC, admin_token=ADMIN)
    for path in ("corp/guarded", "team/docs"):
        p = project(fake, path)
        for key in ("default_branch", "readme_url", "forks_count"):
            assert key not in p, (path, key)
    assert project(fake, "team/docs")["repository_access_level"] == "disabled"
    assert project(fake, "corp/shown")["default_branch"] == "main"
    assert project(fake, "team/code")["default_branch"] == "main"
    # the same in lists, simple ones included
    _, _, items = fake.api("/groups/corp/projects?simple=true")
    shapes = {p["path"]: p for p in items}
    assert "default_branch" not in shapes["guarded"] and "default_branch" in shapes["shown"]
    # an admin reads any code, except where the repository feature is off
    assert project(fake, "corp/guarded", ADMIN)["default_branch"] == "main"
    assert "default_branch" not in project(fake, "team/docs", ADMIN)


def test_git_http_refuses_with_gitlabs_message(start_fake):
    fake = start_fake(spec=SPEC, admin_token=ADMIN)
    for path in ("corp/guarded", "team/docs"):
        assert git_get(fake, path, fake.token) == (403, DENIED.encode()), path
    assert git_get(fake, "corp/shown", fake.token)[0] == 200
    assert git_get(fake, "corp/guarded", ADMIN)[0] == 200
    fake.control("update", project="team/code", repository_access_level="disabled")
    assert git_get(fake, "team/code", fake.token)[0] == 403


def test_git_ssh_refuses_with_gitlab_shells_message(start_fake, ssh_env):
    fake = start_fake(spec=SPEC, ssh=True)
    env = ssh_env(fake)
    for path, ok in (("corp/guarded", False), ("team/docs", False), ("team/code", True)):
        url = project(fake, path)["ssh_url_to_repo"]
        proc = subprocess.run(["git", "ls-remote", url], env=env, capture_output=True,
                              text=True, timeout=60)
        assert (proc.returncode == 0) == ok, (path, proc.stderr)
        assert (f"remote: {DENIED}\n" in proc.stderr) == (not ok), proc.stderr
