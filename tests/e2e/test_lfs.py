"""Git LFS: checkouts and mirrors with the content, checked against the fake's
objects and with the real git-lfs client."""
import hashlib
import json
import socket
import subprocess

import pytest

from synctree import tree_from_truth, write_tree
from test_ssh import SshMirror, ssh_agent
from test_sync import GIT_ENV, Mirror, git, no_token_below

BIG = 3 * 1024 * 1024
SPEC = {"groups": [{"name": "ml", "projects": [
    {"name": "models", "branches": ["dev"],
     "lfs": {"one.bin": 1, "mid/half.bin": 5000, "big.bin": BIG}},
    {"name": "plain"},
]}]}
BROKEN = {"groups": [{"name": "ml", "projects": [
    {"name": "models", "lfs": {"one.bin": 1}},
    {"name": "broken", "lfs": {"here.bin": 10, "gone.bin": 20}, "lfs_missing": ["gone.bin"]},
]}]}
LFS_GIT = ["-c", "filter.lfs.process=git-lfs filter-process", "-c", "filter.lfs.required=true",
           "-c", "filter.lfs.clean=git-lfs clean -- %f",
           "-c", "filter.lfs.smudge=git-lfs smudge -- %f"]


@pytest.fixture
def lfs(fake_gitlab, run_glmirror, tmp_path):
    return Mirror(fake_gitlab, run_glmirror, tmp_path, spec=SPEC)


def lfs_git(repo, *args):
    return git(repo, *LFS_GIT, *args)


def oid_of(data):
    return hashlib.sha256(data).hexdigest()


def stored(gitdir):
    root = gitdir / "lfs/objects"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def object_requests(fake):
    return [r for r in fake.stats()["requests"] if "/gitlab-lfs/objects/" in r["path"]]


def test_clone_has_the_content_and_git_lfs_agrees(lfs):
    lfs.run("-c", "2")
    repo = lfs.path("ml/models")
    sizes = {"one.bin": 1, "mid/half.bin": 5000, "big.bin": BIG}
    oids = []
    for name, size in sizes.items():
        data = (repo / name).read_bytes()
        assert len(data) == size, name
        oids.append(oid_of(data))
    assert stored(repo / ".git") == sorted(oids)
    # the content is the fake's: each object's hash is the one its pointer names
    listed = lfs_git(repo, "lfs", "ls-files", "--long")
    assert all(o in listed for o in oids)
    assert lfs_git(repo, "status", "--porcelain") == ""
    rec = lfs.records()["ml/models"]
    assert rec["result"] == "cloned"
    assert rec["lfs_objects"] == 3 and rec["lfs_bytes"] == BIG + 5001
    assert rec["bytes"] >= BIG
    assert lfs.records()["ml/plain"]["lfs_objects"] == 0
    assert no_token_below(lfs.dest, lfs.fake.token) == []


def test_a_rerun_after_a_push_fetches_exactly_the_new_object(lfs):
    lfs.run()
    lfs.fake.control("push", project="ml/models", lfs={"added.bin": 7000})
    lfs.fake.reset_stats()
    lfs.run()
    repo = lfs.path("ml/models")
    assert len((repo / "added.bin").read_bytes()) == 7000
    assert len(object_requests(lfs.fake)) == 1
    rec = lfs.records()["ml/models"]
    assert rec["result"] == "updated" and rec["lfs_objects"] == 1
    assert lfs_git(repo, "status", "--porcelain") == ""
    lfs.fake.reset_stats()
    lfs.run()
    assert object_requests(lfs.fake) == []


def test_every_fast_forward_adding_an_lfs_file_writes_its_content(lfs):
    """Each push adds a file and its .gitattributes line: the fast-forward
    writes the file before it reads the new line, so the second pass must
    write it again, whatever the index's stat data says (it used to work
    only when the file and the index were written within one second)."""
    lfs.run("-i", "/ml/plain")
    sizes = []
    for i in range(4):
        lfs.fake.control("push", project="ml/plain", lfs={f"f{i}.bin": 5000 + i})
        lfs.run("-i", "/ml/plain")
        sizes.append(len((lfs.path("ml/plain") / f"f{i}.bin").read_bytes()))
    assert sizes == [5000, 5001, 5002, 5003]
    assert lfs_git(lfs.path("ml/plain"), "status", "--porcelain") == ""


def test_mirror_holds_the_objects_of_every_ref(lfs):
    lfs.fake.control("push", project="ml/models", branch="dev", lfs={"dev-only.bin": 300})
    lfs.run("--mirror")
    gitdir = lfs.path("ml/models")
    names = [line.split()[0] for line in
             git(gitdir, "ls-tree", "-r", "dev", "--name-only").splitlines()]
    assert "dev-only.bin" in names
    assert len(stored(gitdir)) == 4
    # the scan's record: the ref tips, whose history's objects are all stored
    tips = set(git(gitdir, "for-each-ref", "--format=%(objectname)").split())
    assert set((gitdir / "lfs/glmirror-scanned").read_text().splitlines()) == tips
    lfs.fake.reset_stats()
    proc = lfs.run("--mirror", "--verbose")
    assert "ml/models: LFS: 0 commits scanned" in proc.stderr
    assert lfs_requests(lfs.fake) == []
    lfs.fake.control("push", project="ml/models", branch="dev", lfs={"later.bin": 30})
    lfs.fake.reset_stats()
    proc = lfs.run("--mirror", "--verbose")
    assert "ml/models: LFS: 1 commits scanned" in proc.stderr
    assert len(stored(gitdir)) == 5 and len(object_requests(lfs.fake)) == 1
    assert no_token_below(lfs.dest, lfs.fake.token) == []


def test_no_lfs_leaves_pointers(lfs):
    lfs.run("--no-lfs")
    text = (lfs.path("ml/models") / "big.bin").read_text()
    assert text.startswith("version https://git-lfs.github.com/spec/v1\n")
    assert stored(lfs.path("ml/models") / ".git") == []
    assert [r for r in lfs.fake.stats()["requests"] if "/info/lfs/" in r["path"]] == []


def test_a_missing_object_fails_the_project_and_keeps_its_pointer(fake_gitlab, run_glmirror,
                                                                  tmp_path):
    lfs = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=BROKEN)
    proc = lfs.run(code=1)
    repo = lfs.path("ml/broken")
    gone = (repo / "gone.bin").read_text()
    assert gone.startswith("version https://git-lfs.github.com/spec/v1\n")
    oid = gone.split("oid sha256:")[1].split("\n")[0]
    assert len((repo / "here.bin").read_bytes()) == 10
    rec = lfs.records()["ml/broken"]
    assert rec["result"] == "failed" and oid in rec["reason"] and "gone.bin" in rec["reason"]
    assert oid in proc.stderr
    assert lfs.records()["ml/models"]["result"] == "cloned"


def test_a_mirror_missing_an_object_is_scanned_again(fake_gitlab, run_glmirror, tmp_path):
    lfs = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=BROKEN)
    lfs.run("--mirror", code=1)
    assert (lfs.path("ml/models") / "lfs/glmirror-scanned").is_file()
    assert not (lfs.path("ml/broken") / "lfs/glmirror-scanned").exists()
    proc = lfs.run("--mirror", "--verbose", code=1)
    assert "ml/broken: LFS: 1 commits scanned" in proc.stderr
    assert lfs.records()["ml/broken"]["result"] == "failed"


def test_injected_503s_and_resets_on_downloads_are_retried(lfs):
    lfs.fake.control("override", path_regex="/gitlab-lfs/objects/", times=2, status=503,
                     body="busy")
    lfs.fake.control("override", path_regex="/gitlab-lfs/objects/", times=2, fault="reset")
    lfs.run("-c", "1")
    assert len((lfs.path("ml/models") / "big.bin").read_bytes()) == BIG
    statuses = [r["status"] for r in object_requests(lfs.fake)]
    assert statuses.count(503) == 2 and statuses.count(0) == 2


def lfs_requests(fake):
    return [r for r in fake.stats()["requests"]
            if "/info/lfs/" in r["path"] or "/gitlab-lfs/" in r["path"]]


def test_a_429_from_gitlabs_lfs_throttle_pauses_and_is_retried(lfs, tmp_path):
    """GitLab's Git LFS throttle (Rack::Attack) lets one LFS request through
    per window and answers the others 429 with Retry-After: glmirror waits
    and gets every object, and counts each 429."""
    lfs.fake.control("lfs_rate_limit", limit=1, period=2)
    metrics = tmp_path / "run.prom"
    proc = lfs.run("-c", "2", "--metrics", metrics)
    assert len((lfs.path("ml/models") / "big.bin").read_bytes()) == BIG
    assert lfs.records()["ml/models"]["lfs_objects"] == 3
    reqs = lfs_requests(lfs.fake)
    throttled = [r for r in reqs if r["status"] == 429]
    # a batch and three downloads in windows of one request each: some were refused
    assert throttled != []
    assert [r["status"] for r in object_requests(lfs.fake)].count(200) == 3
    assert [r["status"] for r in reqs].count(200) == 4
    counted = [line for line in metrics.read_text().splitlines()
               if line.startswith("glmirror_sync_throttled_total ")]
    assert counted == [f"glmirror_sync_throttled_total {len(throttled)}"]
    assert "every sync worker paused" in proc.stderr


def test_git_lfs_reads_what_glmirror_stored(lfs, tmp_path):
    """git-lfs itself takes the objects from the store: a fresh checkout of
    the same commit with git-lfs and no network gets the content."""
    lfs.run()
    repo = lfs.path("ml/models")
    (repo / "big.bin").unlink()
    env = {"GIT_LFS_SKIP_SMUDGE": "0"}
    proc = subprocess.run(["git", "-C", str(repo), *LFS_GIT, "-c", "lfs.url=http://127.0.0.1:9/x",
                           "checkout", "--", "big.bin"], capture_output=True, text=True,
                          env={**GIT_ENV, **env, "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert len((repo / "big.bin").read_bytes()) == BIG


def test_hrefs_on_another_host_get_only_the_batch_answers_headers(fake_gitlab, run_glmirror,
                                                                  tmp_path):
    """GitLab's hrefs use its external URL: here localhost, while --url is
    127.0.0.1.  The batch goes to --url's origin with the token; downloads
    to the href with the LFS token GitLab gave, never the user's token."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    fake = fake_gitlab(spec=SPEC, port=port, external_url=f"http://localhost:{port}")
    lfs = Mirror(lambda spec: fake, run_glmirror, tmp_path, spec=SPEC)
    lfs.run()
    assert len((lfs.path("ml/models") / "big.bin").read_bytes()) == BIG
    stats = fake.stats()
    assert len(object_requests(fake)) == 3
    assert stats["lfs_downloads_with_token"] == 0
    assert [r for r in stats["requests"] if "/info/lfs/" in r["path"]] != []


class SshLfs(SshMirror):
    """The fake's SSH front with its host known; from_tree runs a sync from
    a tree file, without a token, as `-f` after a crawl elsewhere."""

    def from_tree(self, dest, *args, env=None):
        def over_ssh(node):
            node["ssh_url"] = (f"ssh://{self.fake.ssh_user}@127.0.0.1:{self.fake.ssh_port}/"
                               f"{node['full_path']}.git")
        tree = write_tree(self.dest.parent,
                          tree_from_truth(self.fake.truth(), self.fake.url, over_ssh))
        return self.run_glmirror(["-f", tree, "-m", "ssh", "-c", "1", *args, dest],
                                 env={"HOME": str(self.home), **(env or {})})


@pytest.fixture
def ssh_lfs(fake_gitlab, run_glmirror, tmp_path, monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    m = SshLfs(fake_gitlab(spec=SPEC, ssh=True), run_glmirror, tmp_path)
    m.known_hosts.write_text(m.fake.ssh_host_line + "\n")
    return m


def test_over_ssh_with_a_token_the_content_comes_from_the_lfs_api(ssh_lfs):
    m = ssh_lfs
    m.run("--ssh-key", m.fake.ssh_key, include="/ml/models")
    assert len((m.dest / "ml/models/big.bin").read_bytes()) == BIG
    # the token needs no second SSH login
    assert m.fake.stats()["ssh_lfs_authenticate"] == 0


def test_over_ssh_without_a_token_git_lfs_authenticate_gives_the_way(ssh_lfs, tmp_path):
    m = ssh_lfs
    dest = tmp_path / "notoken"
    proc = m.from_tree(dest, "--ssh-key", m.fake.ssh_key, "-i", "/ml/models")
    assert proc.returncode == 0, proc.stderr
    assert len((dest / "ml/models/big.bin").read_bytes()) == BIG
    assert len((dest / "ml/models/mid/half.bin").read_bytes()) == 5000
    stats = m.fake.stats()
    assert stats["ssh_lfs_authenticate"] == 1
    assert stats["lfs_batch_with_ssh_token"] == 1 and stats["lfs_downloads_with_ssh_token"] == 3
    assert stats["lfs_downloads_with_token"] == 0
    assert lfs_git(dest / "ml/models", "status", "--porcelain") == ""
    assert "Authorization" not in proc.stderr and "lfsssh-" not in proc.stderr
    for secret in ("lfsssh-", "Basic "):
        assert subprocess.run(["grep", "-rl", secret, str(dest)], capture_output=True,
                              text=True).stdout == ""


def test_over_ssh_without_a_token_a_mirror_gets_every_refs_objects(ssh_lfs, tmp_path):
    m = ssh_lfs
    m.fake.control("push", project="ml/models", branch="dev", lfs={"dev-only.bin": 300})
    dest = tmp_path / "mirror"
    proc = m.from_tree(dest, "--ssh-key", m.fake.ssh_key, "-i", "/ml/models", "--mirror")
    assert proc.returncode == 0, proc.stderr
    assert len(stored(dest / "ml/models")) == 4
    assert m.fake.stats()["ssh_lfs_authenticate"] == 1


def test_over_ssh_without_a_token_the_agent_logs_in_for_lfs_too(ssh_lfs, tmp_path):
    m = ssh_lfs
    dest = tmp_path / "agent"
    with ssh_agent(tmp_path, m.fake.ssh_key) as sock:
        proc = m.from_tree(dest, "-i", "/ml/models", env={"SSH_AUTH_SOCK": sock})
    assert proc.returncode == 0, proc.stderr
    assert len((dest / "ml/models/big.bin").read_bytes()) == BIG
    assert m.fake.stats()["ssh_lfs_authenticate"] == 1


def test_over_ssh_a_refused_git_lfs_authenticate_leaves_pointers_and_says_so(ssh_lfs, tmp_path):
    m = ssh_lfs
    m.fake.control("ssh_lfs", enabled=False)
    dest = tmp_path / "notoken"
    report = tmp_path / "r.json"
    proc = m.from_tree(dest, "--ssh-key", m.fake.ssh_key, "-i", "/ml/models,/ml/plain",
                       "--report", report)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("LFS files stay pointers") == 1
    assert "ml/models: Git LFS: git-lfs-authenticate over SSH: no answer" in proc.stderr
    assert (dest / "ml/models/big.bin").read_text().startswith("version ")
    rec = {r["full_path"]: r for r in map(json.loads, report.read_text().splitlines())}[
        "ml/models"]
    assert rec["result"] == "cloned" and "LFS files stay pointers" in rec["reason"]
    assert m.fake.stats()["lfs_batch_with_ssh_token"] == 0


def test_submodules_get_their_lfs_content_from_their_own_project(fake_gitlab, run_glmirror,
                                                                 tmp_path):
    spec = {"groups": [{"name": "G", "path": "g", "projects": [
        {"name": "lib", "path": "lib", "lfs": {"weights.bin": 4000}},
        {"name": "app", "path": "app", "submodules": {"vendor/lib": "g/lib"}}]}]}
    m = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=spec)
    m.run("-r", "-c", "1", "-i", "/G/app")
    app = m.path("g/app")
    data = (app / "vendor/lib/weights.bin").read_bytes()
    assert len(data) == 4000
    assert stored(app / ".git/modules/vendor/lib") == [oid_of(data)]
    assert lfs_git(app / "vendor/lib", "status", "--porcelain") == ""
    batches = [r["path"] for r in lfs_requests(m.fake) if "/info/lfs/" in r["path"]]
    assert batches == ["/g/lib.git/info/lfs/objects/batch"]
    assert m.records()["g/app"]["lfs_objects"] == 1
    assert no_token_below(m.dest, m.fake.token) == []
    m.fake.reset_stats()
    m.run("-r", "-c", "1", "-i", "/G/app")
    assert lfs_requests(m.fake) == []
