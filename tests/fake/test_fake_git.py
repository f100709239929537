"""Git smart HTTP: clone with a credential from GIT_ASKPASS, 401 without."""
import base64
import gzip
import http.client
import subprocess

import pytest
from fake import DEMO_SPEC


def git(*args, env, cwd=None, check=True):
    proc = subprocess.run(["git", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_clone_with_askpass_and_refs_match_truth(start_fake, git_env, tmp_path):
    fake = start_fake(spec=DEMO_SPEC)
    env = git_env(fake.token)
    dest = tmp_path / "website"
    proc = git("clone", fake.clone_url("acme/website"), str(dest), env=env)
    assert fake.token not in proc.stdout + proc.stderr
    log = git("log", "--format=%s", env=env, cwd=dest).stdout.split("\n")
    assert log[:3] == ["Website: commit 3", "Website: commit 2", "Website: commit 1"]
    branches = git("branch", "-r", env=env, cwd=dest).stdout
    assert "origin/redesign" in branches
    truth = {p["path_with_namespace"]: p for p in fake.truth()["projects"]}
    head = git("rev-parse", "HEAD", env=env, cwd=dest).stdout.strip()
    assert truth["acme/website"]["repo_branches"]["main"] == head
    # repositories are created lazily: only the cloned one exists
    assert [p for p, t in truth.items() if t["repo_branches"] is not None] == ["acme/website"]
    assert fake.token not in "\n".join(fake.log_lines())
    # the same spec gives the same commits in another server
    other = start_fake(spec=DEMO_SPEC)
    git("clone", "--bare", other.clone_url("acme/website"), str(tmp_path / "again"), env=env)
    assert git("rev-parse", "main", env=env, cwd=tmp_path / "again").stdout.strip() == head


def test_clone_empty_and_unicode_named(start_fake, git_env, tmp_path):
    fake = start_fake(spec=DEMO_SPEC)
    env = git_env(fake.token)
    proc = git("clone", fake.clone_url("acme/equipe-donnees/ml-models/brand-new"),
               str(tmp_path / "e"), env=env)
    assert "empty repository" in proc.stderr
    git("clone", fake.clone_url("alice/dotfiles"), str(tmp_path / "d"), env=env)


def test_git_auth_errors(start_fake, git_env, tmp_path):
    fake = start_fake(spec=DEMO_SPEC)
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    conn.request("GET", "/acme/website.git/info/refs?service=git-upload-pack")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 401
    assert resp.getheader("WWW-Authenticate") == 'Basic realm="GitLab"'
    bad = base64.b64encode(b"oauth2:wrong").decode()
    conn.request("GET", "/acme/website.git/info/refs?service=git-upload-pack",
                 headers={"Authorization": f"Basic {bad}"})
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 401
    good = base64.b64encode(f"anyone:{fake.token}".encode()).decode()
    conn.request("GET", "/acme/nothing.git/info/refs?service=git-upload-pack",
                 headers={"Authorization": f"Basic {good}"})
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 404
    conn.request("GET", "/acme/website.git/info/refs?service=git-upload-pack",
                 headers={"Authorization": f"Basic {good}"})
    resp = conn.getresponse()
    assert resp.status == 200
    assert resp.getheader("Content-Type") == "application/x-git-upload-pack-advertisement"
    assert b"refs/heads/main" in resp.read()
    proc = git("clone", fake.clone_url("acme/website"), str(tmp_path / "w"),
               env=git_env("wrong-token"), check=False)
    assert proc.returncode != 0 and "Authentication failed" in proc.stderr


def test_push_control_is_seen_by_fetch(start_fake, git_env, tmp_path):
    fake = start_fake(spec=DEMO_SPEC)
    env = git_env(fake.token)
    dest = tmp_path / "c"
    git("clone", fake.clone_url("partners/portal"), str(dest), env=env)
    sha = fake.control("push", project="partners/portal", message="second")["commit"]
    git("pull", "-q", env=env, cwd=dest)
    assert git("rev-parse", "HEAD", env=env, cwd=dest).stdout.strip() == sha
    # a push into an empty repository makes it non-empty
    fake.control("push", project="acme/equipe-donnees/ml-models/brand-new", branch="main")
    _, _, p = fake.api("/projects/acme%2Fequipe-donnees%2Fml-models%2Fbrand-new")
    assert p["empty_repo"] is False and p["default_branch"] == "main"
    git("clone", fake.clone_url("acme/equipe-donnees/ml-models/brand-new"),
        str(tmp_path / "n"), env=env)
    assert git("log", "--format=%s", env=env, cwd=tmp_path / "n").stdout.startswith("push ")


def test_chunked_request_body(start_fake):
    fake = start_fake()
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    body = b'{"path_regex": "^/api/v4/version", "status": 418}'
    conn.request("POST", "/_fake/override", body=iter([body[:10], body[10:]]),
                 headers={"Content-Type": "application/json"}, encode_chunked=True)
    resp = conn.getresponse()
    assert resp.status == 200, resp.read()
    resp.read()
    assert fake.api("/version")[0] == 418


def pkt(text):
    data = text.encode()
    return b"%04x" % (len(data) + 4) + data


@pytest.mark.parametrize("gzipped,chunked", [(True, False), (False, True), (True, True)])
def test_upload_pack_body_gzip_and_chunked(start_fake, gzipped, chunked):
    fake = start_fake(spec=DEMO_SPEC)
    auth = {"Authorization": "Basic " + base64.b64encode(f"x:{fake.token}".encode()).decode()}
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=20)
    conn.request("GET", "/acme/website.git/info/refs?service=git-upload-pack", headers=auth)
    refs = conn.getresponse().read()
    line = next(x for x in refs.split(b"\n") if x.endswith(b"refs/heads/main"))
    sha = line.split(b" ")[0][-40:].decode()
    body = pkt(f"want {sha}\n") + b"0000" + pkt("done\n")
    headers = dict(auth, **{"Content-Type": "application/x-git-upload-pack-request"})
    if gzipped:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    conn.request("POST", "/acme/website.git/git-upload-pack",
                 body=iter([body[:5], body[5:]]) if chunked else body, headers=headers,
                 encode_chunked=chunked)
    resp = conn.getresponse()
    data = resp.read()
    assert resp.status == 200
    assert resp.getheader("Content-Type") == "application/x-git-upload-pack-result"
    assert data.startswith(b"0008NAK\nPACK")


def test_overrides_reach_git_routes(start_fake, git_env, tmp_path):
    fake = start_fake(spec=DEMO_SPEC)
    env = git_env(fake.token)
    fake.control("override", path_regex=r"/acme/website\.git/git-upload-pack$",
                 fault="truncate", times=1)
    proc = git("clone", fake.clone_url("acme/website"), str(tmp_path / "a"), env=env,
               check=False)
    assert proc.returncode != 0
    git("clone", fake.clone_url("acme/website"), str(tmp_path / "b"), env=env)
    statuses = [(r["route"], r["status"]) for r in fake.stats()["requests"]]
    assert ("git git-upload-pack", 200) in statuses


def test_failed_git_logins_get_the_client_banned(start_fake):
    fake = start_fake(spec=DEMO_SPEC, git_auth_ban=3)
    bad = {"Authorization": "Basic " + base64.b64encode(b"oauth2:wrong").decode()}
    for _ in range(3):
        assert fake.request("GET", "/acme/website.git/info/refs?service=git-upload-pack",
                            headers=bad)[0] == 401
    status, headers, body = fake.request("GET", "/api/v4/user",
                                         headers={"PRIVATE-TOKEN": fake.token})
    assert (status, body) == (403, b"Forbidden\n")
    assert not any(k.startswith("ratelimit") for k in headers)
    stats = fake.stats()
    assert stats["git_auth_failures"] == 3 and stats["banned"] == 1


SUBMODULE_SPEC = {"groups": [
    {"name": "Libs", "path": "libs", "projects": [{"name": "Core", "path": "core", "commits": 2}]},
    {"name": "Apps", "path": "apps", "subgroups": [{"name": "Web", "path": "web", "projects": [
        {"name": "Shop", "path": "shop", "tags": ["v1.0"],
         "submodules": {"vendor/core": "libs/core"}}]}]}]}


def test_submodules_with_relative_urls_and_tags(start_fake, git_env, tmp_path):
    fake = start_fake(spec=SUBMODULE_SPEC)
    env = git_env(fake.token)
    dest = tmp_path / "shop"
    git("clone", "-q", "--recurse-submodules", fake.clone_url("apps/web/shop"), str(dest),
        env=env)
    assert (dest / "vendor/core/README.md").read_text().startswith("# Core")
    assert "url = ../../../libs/core.git" in (dest / ".gitmodules").read_text()
    truth = {p["path_with_namespace"]: p for p in fake.truth()["projects"]}
    core_head = truth["libs/core"]["repo_branches"]["main"]
    assert git("rev-parse", "HEAD", env=env, cwd=dest / "vendor/core").stdout.strip() == core_head
    assert truth["apps/web/shop"]["submodules"] == {"vendor/core": "libs/core"}
    shop_head = truth["apps/web/shop"]["repo_branches"]["main"]
    assert truth["apps/web/shop"]["repo_tags"] == {"v1.0": shop_head}
    assert git("tag", env=env, cwd=dest).stdout.split() == ["v1.0"]
    out = fake.control("tag", project="apps/web/shop", tag="v2.0")
    assert out["commit"] == shop_head
    fake.control("tag", project="apps/web/shop", tag="v1.0", delete=True)
    git("fetch", "-q", "--prune", "--prune-tags", "origin", env=env, cwd=dest)
    assert git("tag", env=env, cwd=dest).stdout.split() == ["v2.0"]


def test_bad_submodule_specs_are_refused(start_fake):
    bad = {"groups": [{"name": "G", "projects": [
        {"name": "A", "submodules": {"b": "g/b"}},
        {"name": "B", "submodules": {"c": "g/c"}}, {"name": "C"}]}]}
    with pytest.raises(RuntimeError, match="submodules have submodules"):
        start_fake(spec=bad)


@pytest.mark.parametrize("version", ["0", "1", "2"])
def test_every_protocol_version_clones_and_fetches(start_fake, git_env, tmp_path, version):
    fake = start_fake(spec=DEMO_SPEC)
    env = git_env(fake.token)
    dest = tmp_path / "w"
    git("-c", f"protocol.version={version}", "clone", "-q", fake.clone_url("acme/website"),
        str(dest), env=env)
    sha = fake.control("push", project="acme/website", message="more")["commit"]
    git("-c", f"protocol.version={version}", "pull", "-q", "--ff-only", env=env, cwd=dest)
    assert git("rev-parse", "HEAD", env=env, cwd=dest).stdout.strip() == sha


def test_git_cache_serves_again_until_a_ref_changes(start_fake, git_env, tmp_path):
    fake = start_fake(spec=DEMO_SPEC, git_cache=True)
    env = git_env(fake.token)
    for name in ("a", "b"):
        git("clone", "-q", fake.clone_url("partners/portal"), str(tmp_path / name), env=env)
    cache = fake.stats()["git_cache"]
    # the second clone sent the same requests (3 with protocol v2): all from the cache
    assert cache["hits"] == cache["misses"] == cache["entries"] == 3, cache
    sha = fake.control("push", project="partners/portal", message="new")["commit"]
    git("clone", "-q", fake.clone_url("partners/portal"), str(tmp_path / "c"), env=env)
    assert git("rev-parse", "HEAD", env=env, cwd=tmp_path / "c").stdout.strip() == sha
    fake.control("tag", project="partners/portal", tag="v9")
    git("fetch", "-q", "--tags", env=env, cwd=tmp_path / "a")
    assert git("tag", env=env, cwd=tmp_path / "a").stdout.split() == ["v9"]
    assert fake.stats()["git_cache"]["hits"] == 3


def test_without_git_cache_nothing_is_kept(start_fake, git_env, tmp_path):
    fake = start_fake(spec=DEMO_SPEC)
    env = git_env(fake.token)
    for name in ("a", "b"):
        git("clone", "-q", fake.clone_url("partners/portal"), str(tmp_path / name), env=env)
    assert fake.stats()["git_cache"] == {"hits": 0, "misses": 0, "entries": 0, "bytes": 0}
