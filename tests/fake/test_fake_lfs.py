"""Git LFS as GitLab serves it, checked with the real git-lfs client."""
import base64
import hashlib
import http.client
import json
import subprocess

LFS_SPEC = {"groups": [{"name": "ml", "projects": [
    {"name": "models", "lfs": {"tiny.bin": 1, "weights/big.bin": 300000}},
    {"name": "broken", "lfs": {"here.bin": 10, "gone.bin": 20}, "lfs_missing": ["gone.bin"]},
]}]}
LFS_CONFIG = ["-c", "filter.lfs.process=git-lfs filter-process", "-c", "filter.lfs.required=true",
              "-c", "filter.lfs.clean=git-lfs clean -- %f",
              "-c", "filter.lfs.smudge=git-lfs smudge -- %f"]


def git(*args, env, cwd=None, check=True):
    proc = subprocess.run(["git", *LFS_CONFIG, *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def pointer_oid(path):
    text = path.read_text()
    assert text.startswith("version https://git-lfs.github.com/spec/v1\n"), text
    return text.split("oid sha256:")[1].split("\n")[0]


def batch(fake, full_path, oids, auth=None):
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    headers = {"Accept": "application/vnd.git-lfs+json",
               "Content-Type": "application/vnd.git-lfs+json"}
    if auth:
        headers["Authorization"] = auth
    body = {"operation": "download", "transfers": ["basic"],
            "objects": [{"oid": o, "size": 1} for o in oids]}
    conn.request("POST", f"/{full_path}.git/info/lfs/objects/batch", body=json.dumps(body),
                 headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    return resp, data


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_git_lfs_clone_gets_content(start_fake, git_env, tmp_path):
    fake = start_fake(spec=LFS_SPEC)
    env = git_env(fake.token)
    dest = tmp_path / "models"
    git("clone", fake.clone_url("ml/models"), str(dest), env=env)
    big = (dest / "weights/big.bin").read_bytes()
    assert len(big) == 300000 and len((dest / "tiny.bin").read_bytes()) == 1
    files = git("lfs", "ls-files", "--long", env=env, cwd=dest).stdout
    assert hashlib.sha256(big).hexdigest() in files and "tiny.bin" in files
    assert git("status", "--porcelain", env=env, cwd=dest).stdout == ""
    # the downloads used the LFS token of the batch answer, never the user's token
    stats = fake.stats()
    objects = [r for r in stats["requests"] if r["route"] == "lfs object"]
    assert len(objects) == 2 and all(r["status"] == 200 for r in objects)
    assert stats["lfs_downloads_with_token"] == 0


def test_git_lfs_pull_after_a_push_gets_the_new_object(start_fake, git_env, tmp_path):
    fake = start_fake(spec=LFS_SPEC)
    env = git_env(fake.token)
    dest = tmp_path / "models"
    git("clone", fake.clone_url("ml/models"), str(dest), env=env)
    fake.control("push", project="ml/models", lfs={"new.bin": 5000})
    fake.reset_stats()
    git("pull", "-q", env=env, cwd=dest)
    assert len((dest / "new.bin").read_bytes()) == 5000
    assert "weights/big.bin" in (dest / ".gitattributes").read_text()
    routes = [r["route"] for r in fake.stats()["requests"]]
    assert routes.count("lfs object") == 1


def test_missing_object_is_a_404_in_the_batch_answer(start_fake, git_env, tmp_path):
    fake = start_fake(spec=LFS_SPEC)
    env = git_env(fake.token)
    dest = tmp_path / "broken"
    proc = git("clone", fake.clone_url("ml/broken"), str(dest), env=env, check=False)
    assert proc.returncode != 0
    assert "Object does not exist on the server" in proc.stderr
    # with the object's pointer left: GIT_LFS_SKIP_SMUDGE, then the batch by hand
    env["GIT_LFS_SKIP_SMUDGE"] = "1"
    git("clone", fake.clone_url("ml/broken"), str(tmp_path / "b2"), env=env)
    gone, here = pointer_oid(tmp_path / "b2/gone.bin"), pointer_oid(tmp_path / "b2/here.bin")
    resp, data = batch(fake, "ml/broken", [here, gone], basic("oauth2", fake.token))
    assert resp.status == 200
    assert resp.getheader("Content-Type").startswith("application/vnd.git-lfs+json")
    objects = {o["oid"]: o for o in json.loads(data)["objects"]}
    assert objects[gone]["error"]["code"] == 404 and "actions" not in objects[gone]
    download = objects[here]["actions"]["download"]
    assert download["href"] == f"{fake.url}/ml/broken.git/gitlab-lfs/objects/{here}"
    assert fake.token not in json.dumps(download)
    assert download["header"]["Authorization"].startswith("Basic ")


def test_batch_needs_credentials_and_downloads_honour_them(start_fake, git_env, tmp_path):
    fake = start_fake(spec=LFS_SPEC)
    oid = "0" * 64
    resp, _ = batch(fake, "ml/models", [oid])
    assert resp.status == 401
    assert resp.getheader("WWW-Authenticate") == 'Basic realm="GitLab"'
    resp, _ = batch(fake, "ml/models", [oid], basic("oauth2", "wrong"))
    assert resp.status == 401
    resp, data = batch(fake, "ml/models", [], basic("oauth2", fake.token))
    assert resp.status == 404 and json.loads(data)["message"] == "Not found."
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    conn.request("GET", f"/ml/models.git/gitlab-lfs/objects/{oid}")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 401
    conn.request("GET", f"/ml/models.git/gitlab-lfs/objects/{oid}",
                 headers={"Authorization": basic("oauth2", fake.token)})
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 404


def test_injected_faults_on_downloads_are_retried_by_git_lfs(start_fake, git_env, tmp_path):
    fake = start_fake(spec=LFS_SPEC)
    env = git_env(fake.token)
    fake.control("override", path_regex="/gitlab-lfs/objects/", times=1, status=503,
                 body="busy")
    fake.control("override", path_regex="/gitlab-lfs/objects/", times=1, fault="reset")
    git("clone", fake.clone_url("ml/models"), str(tmp_path / "m"), env=env)
    assert len((tmp_path / "m/weights/big.bin").read_bytes()) == 300000
    statuses = [r["status"] for r in fake.stats()["requests"] if "/gitlab-lfs/" in r["path"]]
    assert 503 in statuses and 0 in statuses and statuses.count(200) == 2


def test_lfs_rate_limit_throttles_lfs_requests_only(start_fake):
    fake = start_fake(spec=LFS_SPEC)
    fake.control("lfs_rate_limit", limit=1, period=3600)
    auth = basic("oauth2", fake.token)
    first, _ = batch(fake, "ml/models", ["0" * 64], auth)
    assert first.status == 200 and first.getheader("RateLimit-Name") is None
    resp, data = batch(fake, "ml/models", ["0" * 64], auth)
    assert resp.status == 429 and data == b"Retry later\n"
    assert resp.getheader("RateLimit-Name") == "throttle_authenticated_git_lfs"
    assert resp.getheader("RateLimit-Remaining") == "0"
    assert 1 <= int(resp.getheader("Retry-After")) <= 3600
    # the API and git are not Git LFS requests
    assert fake.api("/user")[0] == 200
    fake.control("lfs_rate_limit", limit=0)
    assert batch(fake, "ml/models", ["0" * 64], auth)[0].status == 200


def test_git_lfs_over_ssh_uses_git_lfs_authenticate(start_fake, ssh_env, tmp_path):
    fake = start_fake(spec=LFS_SPEC, ssh=True)
    _, _, p = fake.api("/projects/ml%2Fmodels")
    env = ssh_env(fake)
    dest = tmp_path / "models"
    git("clone", p["ssh_url_to_repo"], str(dest), env=env)
    assert len((dest / "weights/big.bin").read_bytes()) == 300000
    stats = fake.stats()
    assert stats["ssh_lfs_authenticate"] >= 1
    assert stats["lfs_batch_with_ssh_token"] >= 1 and stats["lfs_downloads_with_ssh_token"] == 2
    # the token is the project's alone
    answer = subprocess.run(
        ["ssh", "-p", str(fake.ssh_port), *env["GIT_SSH_COMMAND"].split()[1:],
         f"{fake.ssh_user}@127.0.0.1", "git-lfs-authenticate", "ml/models.git", "download"],
        env=env, capture_output=True, text=True, timeout=60)
    assert answer.returncode == 0, answer.stderr
    payload = json.loads(answer.stdout)
    assert payload["href"] == f"{fake.url}/ml/models.git/info/lfs"
    assert payload["expires_in"] > 0
    resp, _ = batch(fake, "ml/models", ["0" * 64], payload["header"]["Authorization"])
    assert resp.status == 200
    resp, _ = batch(fake, "ml/broken", ["0" * 64], payload["header"]["Authorization"])
    assert resp.status == 401


def test_git_lfs_authenticate_refusals(start_fake, ssh_env):
    fake = start_fake(spec=LFS_SPEC, ssh=True)
    env = ssh_env(fake)

    def run(*words):
        return subprocess.run(
            ["ssh", "-p", str(fake.ssh_port), *env["GIT_SSH_COMMAND"].split()[1:],
             f"{fake.ssh_user}@127.0.0.1", *words], env=env, capture_output=True, text=True,
            timeout=60)

    proc = run("git-lfs-authenticate", "ml/nothing.git", "download")
    assert proc.returncode != 0 and "could not be found" in proc.stderr
    proc = run("git-lfs-authenticate", "ml/models.git", "upload")
    assert proc.returncode != 0 and "not allowed to push" in proc.stderr
    fake.control("ssh_lfs", enabled=False)
    proc = run("git-lfs-authenticate", "ml/models.git", "download")
    assert (proc.returncode, proc.stdout) == (0, "")
