"""The sync engine against the fake GitLab's real git over HTTP: clone,
update, local work left alone, --mirror, -F, --dry-run, --shard, --report,
worker deaths, interrupted clones, hostile clone URLs.  The tree comes from
a tree file written from the fake's truth (-f), so the crawl is not
involved."""
import json
import os
import pathlib
import signal
import subprocess
import time

import pytest

from synctree import project_paths, tree_from_truth, write_tree

SPEC = {
    "groups": [
        {"name": "Data Science", "path": "data-science", "projects": [
            {"name": "Model Zoo", "path": "model-zoo", "commits": 2, "branches": ["dev"],
             "tags": ["v1.0"]},
            {"name": "Été 日本", "path": "ete"},
            {"name": "Empty One", "path": "empty-one", "empty": True},
        ], "subgroups": [
            {"name": "Deep Sub", "path": "deep", "projects": [
                {"name": "old stuff", "path": "old", "archived": True},
                {"name": "tool", "path": "tool", "commits": 3},
            ]},
        ]},
        {"name": "Ops", "path": "ops", "projects": [
            {"name": "infra", "path": "infra"},
        ]},
    ],
}

GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}


def git(repo, *args, check=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_ENV)
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          env=env)
    if check:
        assert proc.returncode == 0, (args, proc.stderr)
    return proc.stdout.strip()


class Mirror:
    """One fake, one tree file, one DEST."""

    def __init__(self, fake_gitlab, run_glmirror, tmp_path, spec=SPEC, edit=None):
        self.fake = fake_gitlab(spec=spec)
        self.run_glmirror = run_glmirror
        self.tmp = tmp_path
        self.dest = tmp_path / "dest"
        self.report = tmp_path / "report.json"
        self.edit = edit
        self.rewrite_tree()

    def rewrite_tree(self):
        self.tree = tree_from_truth(self.fake.truth(), self.fake.url, self.edit)
        self.tree_file = write_tree(self.tmp, self.tree)
        self.paths = project_paths(self.tree)

    def run(self, *args, code=0, env=None, dest=None):
        e = {"GITLAB_TOKEN": self.fake.token}
        e.update(env or {})
        proc = self.run_glmirror(["-f", self.tree_file, "-m", "http", "--report", self.report,
                                  *args, dest or self.dest], env=e)
        assert proc.returncode == code, proc.stderr
        assert self.fake.token not in proc.stderr + proc.stdout
        return proc

    def start(self, glmirror_bin, *args, stderr=subprocess.PIPE, clones=1):
        """Starts a run in its own session and waits (bounded) until `clones`
        clones are under way, or the run ended; returns the Popen."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITLAB")}
        env["GITLAB_TOKEN"] = self.fake.token
        proc = subprocess.Popen([glmirror_bin, "-f", str(self.tree_file), "-m", "http", *args,
                                 str(self.dest)], env=env, stderr=stderr,
                                start_new_session=True)
        for _ in range(2000):
            if len(leftovers(self.dest)) >= clones or proc.poll() is not None:
                break
            time.sleep(0.005)
        return proc

    def records(self):
        lines = self.report.read_text(encoding="utf-8").splitlines()
        return {r["full_path"]: r for r in map(json.loads, lines)}

    def path(self, full_path):
        return self.dest / self.paths[full_path].lstrip("/")

    def upstream(self, full_path, branch=None):
        truth = {p["path_with_namespace"]: p for p in self.fake.truth()["projects"]}
        p = truth[full_path]
        return p["repo_branches"][branch or p["default_branch"]]


@pytest.fixture
def mirror(fake_gitlab, run_glmirror, tmp_path):
    return Mirror(fake_gitlab, run_glmirror, tmp_path)


def no_token_below(root, token):
    hits = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = pathlib.Path(dirpath) / f
            if not p.is_symlink() and token.encode() in p.read_bytes():
                hits.append(str(p))
    return hits


def leftovers(root):
    return [str(p) for p in pathlib.Path(root).rglob(".glmirror-tmp-*")]


def test_clone_everything_over_http(mirror):
    proc = mirror.run("-c", "3")
    recs = mirror.records()
    assert set(recs) == set(mirror.paths)
    assert {r["result"] for r in recs.values()} == {"cloned"}
    assert "6 cloned" in proc.stderr
    for full, rel in mirror.paths.items():
        repo = mirror.dest / rel.lstrip("/")
        assert git(repo, "config", "remote.origin.url") == mirror.fake.clone_url(full)
        if full == "data-science/empty-one":
            assert git(repo, "rev-parse", "--verify", "-q", "HEAD", check=False) == ""
            continue
        assert git(repo, "rev-parse", "HEAD") == mirror.upstream(full)
        assert git(repo, "status", "--porcelain") == ""
    # The archived project and the unicode names are there like the others.
    assert (mirror.dest / "Data Science/Deep Sub/old stuff/README.md").is_file()
    assert (mirror.dest / "Data Science/Été 日本/.git").is_dir()
    assert no_token_below(mirror.dest, mirror.fake.token) == []
    assert mirror.fake.token not in mirror.report.read_text()
    assert leftovers(mirror.dest) == []
    r = recs["data-science/deep/tool"]
    assert r["action"] == "clone" and r["id"] > 0 and r["bytes"] > 0 and r["duration_ms"] >= 0
    assert r["path"] == "/Data Science/Deep Sub/tool"


def test_second_run_updates_only_what_was_pushed(mirror):
    mirror.run()
    pushed = mirror.fake.control("push", project="data-science/deep/tool")["commit"]
    proc = mirror.run("--verbose")
    assert "/Data Science/Deep Sub/tool: updated" in proc.stderr
    assert "1 updated, 5 unchanged" in proc.stderr
    recs = mirror.records()
    assert recs["data-science/deep/tool"]["result"] == "updated"
    assert {r["result"] for k, r in recs.items() if k != "data-science/deep/tool"} == {"unchanged"}
    repo = mirror.path("data-science/deep/tool")
    assert git(repo, "rev-parse", "HEAD") == pushed
    assert git(repo, "status", "--porcelain") == ""


def test_first_commit_of_an_empty_repository_is_checked_out(mirror):
    mirror.run()
    pushed = mirror.fake.control("push", project="data-science/empty-one",
                                 branch="main")["commit"]
    mirror.rewrite_tree()
    mirror.run()
    assert mirror.records()["data-science/empty-one"]["result"] == "updated"
    assert git(mirror.path("data-science/empty-one"), "rev-parse", "HEAD") == pushed


def test_local_changes_and_local_commits_are_left_alone(mirror):
    mirror.run()
    dirty = mirror.path("ops/infra")
    (dirty / "README.md").write_text("my uncommitted work\n")
    staged = mirror.path("data-science/ete")
    (staged / "new.txt").write_text("staged\n")
    git(staged, "add", "new.txt")
    ahead = mirror.path("data-science/deep/tool")
    (ahead / "mine.txt").write_text("local commit\n")
    git(ahead, "add", "mine.txt")
    git(ahead, "commit", "-q", "-m", "local")
    mine = git(ahead, "rev-parse", "HEAD")
    before = {p: git(mirror.path(p), "rev-parse", "HEAD") for p in ("ops/infra", "data-science/ete")}
    for p in ("ops/infra", "data-science/ete", "data-science/deep/tool"):
        mirror.fake.control("push", project=p)
    proc = mirror.run()
    recs = mirror.records()
    assert recs["ops/infra"]["result"] == "skipped"
    assert recs["ops/infra"]["reason"] == "local changes"
    assert recs["data-science/ete"]["reason"] == "local changes"
    assert recs["data-science/deep/tool"]["result"] == "skipped"
    assert recs["data-science/deep/tool"]["reason"].startswith("diverged")
    assert "skipped: /Ops/infra: local changes" in proc.stderr
    assert (dirty / "README.md").read_text() == "my uncommitted work\n"
    assert git(staged, "diff", "--cached", "--name-only") == "new.txt"
    for p, sha in before.items():
        assert git(mirror.path(p), "rev-parse", "HEAD") == sha
    assert git(ahead, "rev-parse", "HEAD") == mine
    # Skipped is not failed: the run succeeds.
    assert "0 failed" in proc.stderr


def test_untracked_file_in_the_way_is_not_overwritten(mirror):
    mirror.run()
    repo = mirror.path("ops/infra")
    mirror.fake.control("push", project="ops/infra")
    mirror.run()
    assert mirror.records()["ops/infra"]["result"] == "updated"
    # Each push adds pushes/<time>.txt, the next one's time 1000 s later.
    (first,) = (repo / "pushes").iterdir()
    following = repo / "pushes" / f"{int(first.stem) + 1000}.txt"
    following.write_text("untracked work\n")
    head = git(repo, "rev-parse", "HEAD")
    mirror.fake.control("push", project="ops/infra")
    mirror.run()
    rec = mirror.records()["ops/infra"]
    assert (rec["result"], rec["reason"]) == (
        "skipped", "local changes (untracked files would be overwritten)")
    assert following.read_text() == "untracked work\n"
    assert git(repo, "rev-parse", "HEAD") == head


def test_local_commit_ahead_is_kept_and_unchanged(mirror):
    mirror.run()
    repo = mirror.path("ops/infra")
    (repo / "mine.txt").write_text("x\n")
    git(repo, "add", "mine.txt")
    git(repo, "commit", "-q", "-m", "local")
    mine = git(repo, "rev-parse", "HEAD")
    mirror.run()
    assert mirror.records()["ops/infra"]["result"] == "unchanged"
    assert git(repo, "rev-parse", "HEAD") == mine


def test_branch_deleted_upstream_is_reported(mirror):
    mirror.run()
    repo = mirror.path("data-science/model-zoo")
    git(repo, "checkout", "-q", "dev")
    (repo / "mine.txt").write_text("x\n")
    git(repo, "add", "mine.txt")
    git(repo, "commit", "-q", "-m", "local")  # without it, the checkout follows (test_follow)
    mirror.fake.control("delete_branch", project="data-science/model-zoo", branch="dev")
    mirror.run()
    rec = mirror.records()["data-science/model-zoo"]
    assert (rec["result"], rec["reason"]) == (
        "skipped", "branch deleted upstream; not switched to main: local commits on dev")
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD") == "dev"


def test_use_fetch_only_fetches(mirror):
    mirror.run()
    repo = mirror.path("ops/infra")
    old = git(repo, "rev-parse", "HEAD")
    pushed = mirror.fake.control("push", project="ops/infra")["commit"]
    mirror.run("-F")
    rec = mirror.records()["ops/infra"]
    assert (rec["action"], rec["result"]) == ("fetch", "updated")
    assert git(repo, "rev-parse", "HEAD") == old
    assert git(repo, "rev-parse", "origin/main") == pushed


def test_mirror_has_every_branch_and_prunes(mirror):
    mirror.run("--mirror")
    repo = mirror.path("data-science/model-zoo")
    assert git(repo, "rev-parse", "--is-bare-repository") == "true"
    assert git(repo, "config", "remote.origin.mirror") == "true"
    heads = git(repo, "for-each-ref", "--format=%(refname)", "refs/heads").split()
    assert heads == ["refs/heads/dev", "refs/heads/main"]
    assert git(repo, "for-each-ref", "--format=%(refname)", "refs/tags").split() == [
        "refs/tags/v1.0"]
    assert git(repo, "rev-parse", "refs/heads/dev") == mirror.upstream(
        "data-science/model-zoo", "dev")
    mirror.fake.control("delete_branch", project="data-science/model-zoo", branch="dev")
    pushed = mirror.fake.control("push", project="data-science/model-zoo")["commit"]
    mirror.run("--mirror")
    assert mirror.records()["data-science/model-zoo"]["result"] == "updated"
    assert git(repo, "for-each-ref", "--format=%(refname)", "refs/heads").split() == [
        "refs/heads/main"]
    assert git(repo, "rev-parse", "refs/heads/main") == pushed
    # A checkout is not turned into a mirror or the other way round.
    mirror.run(code=0)
    assert mirror.records()["ops/infra"]["reason"].startswith("a bare repository")


def test_dry_run_touches_nothing(mirror):
    mirror.dest.mkdir()
    proc = mirror.run("--dry-run")
    assert list(mirror.dest.iterdir()) == []
    lines = sorted(proc.stdout.splitlines())
    assert lines == sorted(f"clone {p}" for p in mirror.paths.values())
    mirror.run()
    (mirror.path("ops/infra") / ".git").rename(mirror.path("ops/infra") / "not-git")
    proc = mirror.run("--dry-run")
    assert f"update {mirror.paths['data-science/deep/tool']}" in proc.stdout.splitlines()
    assert any(line.startswith("skip /Ops/infra: ") for line in proc.stdout.splitlines())


def test_shards_are_disjoint_and_complete(fake_gitlab, run_glmirror, tmp_path):
    m = Mirror(fake_gitlab, run_glmirror, tmp_path)
    seen = []
    for k in range(3):
        dest = tmp_path / f"shard{k}"
        m.run("--shard", f"{k}/3", dest=dest)
        seen.append({r["full_path"] for r in m.records().values()})
        for full in seen[-1]:
            assert (dest / m.paths[full].lstrip("/") / ".git").is_dir()
    assert sum(len(s) for s in seen) == len(m.paths)
    assert set().union(*seen) == set(m.paths)


def test_a_dead_worker_is_replaced_and_its_project_requeued(mirror):
    proc = mirror.run("-c", "2", env={"GLMIRROR_TEST_SYNC_DIE": "2"})
    assert "requeued" in proc.stderr
    recs = mirror.records()
    assert {r["result"] for r in recs.values()} == {"cloned"}
    assert leftovers(mirror.dest) == []
    for full in mirror.paths:
        if full != "data-science/empty-one":
            assert git(mirror.path(full), "rev-parse", "HEAD") == mirror.upstream(full)


def test_leftovers_of_a_killed_run_are_removed(mirror):
    parent = mirror.dest / "Ops"
    half = parent / ".glmirror-tmp-infra-999999"
    (half / ".git").mkdir(parents=True)
    (half / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    keep = parent / ".glmirror-tmp-infra-extra-1"
    keep.mkdir()
    mirror.run()
    assert not half.exists()
    assert keep.exists()  # another folder's name, not ours to remove
    assert git(mirror.path("ops/infra"), "rev-parse", "HEAD") == mirror.upstream("ops/infra")


def test_sigkill_of_the_whole_run_then_a_rerun_is_complete(mirror, glmirror_bin):
    # Once a clone is under way, kill everything at once.
    proc = mirror.start(glmirror_bin, "-c", "2", "--progress", "never",
                        stderr=subprocess.DEVNULL)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    # Whatever exists under its final name is a complete repository.
    for full in mirror.paths:
        repo = mirror.path(full)
        if repo.exists() and full != "data-science/empty-one":
            assert git(repo, "rev-parse", "HEAD") == mirror.upstream(full)
    mirror.run()
    assert leftovers(mirror.dest) == []
    for full in mirror.paths:
        if full != "data-science/empty-one":
            assert git(mirror.path(full), "rev-parse", "HEAD") == mirror.upstream(full)


def test_sigint_abandons_cleanly_and_exits_130(mirror, glmirror_bin):
    proc = mirror.start(glmirror_bin, "-c", "1", "--report", str(mirror.report))
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.fail("the run ended before SIGINT could interrupt it")
    assert proc.returncode == 130, err
    assert leftovers(mirror.dest) == []
    assert mirror.report.exists()


def test_a_silent_git_server_fails_only_that_project(mirror):
    # headers and half the pack, then 20 s of nothing: --git-timeout 1 gives up on it
    mirror.fake.control("override", path_regex=r"/ops/infra\.git/git-upload-pack$",
                        stall_ms=20000)
    mirror.run("-c", "2", "--git-timeout", "1", code=1)
    recs = mirror.records()
    assert recs["ops/infra"]["result"] == "failed"
    assert "nothing for 1 s" in recs["ops/infra"]["reason"], recs["ops/infra"]
    assert {r["result"] for f, r in recs.items() if f != "ops/infra"} == {"cloned"}
    assert not mirror.path("ops/infra").exists()
    assert leftovers(mirror.dest) == []
    # the next run, with the server answering again, completes it
    mirror.fake.control("clear_overrides")
    mirror.run()
    assert git(mirror.path("ops/infra"), "rev-parse", "HEAD") == mirror.upstream("ops/infra")


def test_sigint_ends_a_stalled_transfer_at_once(mirror, glmirror_bin):
    mirror.fake.control("override", path_regex=r"\.git/git-upload-pack$", stall_ms=60000)
    # SIGINT once both workers are inside a stalled transfer.
    proc = mirror.start(glmirror_bin, "-c", "2", "--report", str(mirror.report), clones=2)
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("SIGINT did not end a transfer stalled for 60 s within 30 s")
    assert proc.returncode == 130, err
    assert leftovers(mirror.dest) == []


def test_clone_urls_to_another_host_are_refused(fake_gitlab, run_glmirror, tmp_path):
    def edit(node):
        if node["full_path"] == "ops/infra":
            node["http_url"] = "http://evil.example:8080/ops/other.git"
        if node["full_path"] == "data-science/ete":
            node["http_url"] = "file:///etc"
        if node["full_path"] == "data-science/deep/tool":
            # GitLab's external_url: the project's own path, cloned from --url
            node["http_url"] = "http://gitlab.invalid/gitlab/data-science/deep/tool.git"
    m = Mirror(fake_gitlab, run_glmirror, tmp_path, edit=edit)
    proc = m.run(code=1)
    recs = m.records()
    for full in ("ops/infra", "data-science/ete"):
        assert recs[full]["result"] == "failed"
        assert recs[full]["reason"].startswith("clone URL points to another host: ")
        assert not m.path(full).exists()
    assert "clone URL points to another host: http://evil.example:8080" in proc.stderr
    assert recs["data-science/model-zoo"]["result"] == "cloned"
    assert recs["data-science/deep/tool"]["result"] == "cloned"


def test_symlink_planted_in_dest_is_not_followed(mirror, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    mirror.dest.mkdir()
    (mirror.dest / "Ops").symlink_to(outside)
    mirror.run(code=1)
    assert list(outside.iterdir()) == []
    assert mirror.records()["ops/infra"]["result"] == "failed"
    assert mirror.records()["data-science/deep/tool"]["result"] == "cloned"


def test_clashing_folders_are_reported_not_overwritten(fake_gitlab, run_glmirror, tmp_path):
    spec = {"groups": [{"name": "G", "path": "g", "projects": [
        {"name": "same", "path": "same-a"}, {"name": "same", "path": "same-b"},
        {"name": "fine", "path": "fine"}]}]}
    m = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=spec)
    proc = m.run(code=1)
    assert "same" in proc.stderr
    assert (m.dest / "G" / "fine" / ".git").is_dir()
    assert git(m.dest / "G" / "same", "config", "remote.origin.url").endswith("/g/same-a.git")
    # the one left out has its record in the report, like every project
    recs = m.records()
    assert set(recs) == {"g/same-a", "g/same-b", "g/fine"}
    loser = recs["g/same-b"]
    assert (loser["result"], loser["action"]) == ("failed", "none"), loser
    assert "is already taken by project g/same-a" in loser["reason"]
    assert "1 failed" in proc.stderr
    # a dry run says the same
    proc = m.run("--dry-run", code=1, dest=tmp_path / "dry")
    assert "fail /G/same: folder '/G/same' is already taken by project g/same-a" in proc.stdout
    assert not (tmp_path / "dry").exists()


def test_git_options(mirror):
    proc = mirror.run("-o", "--bare", code=2)
    assert "git option '--bare' is not supported by glmirror" in proc.stderr
    mirror.run("-o", "--single-branch,--no-tags")
    repo = mirror.path("data-science/model-zoo")
    refs = git(repo, "for-each-ref", "--format=%(refname)", "refs/remotes").split()
    assert [r for r in refs if r != "refs/remotes/origin/HEAD"] == ["refs/remotes/origin/main"]


def test_a_folder_that_is_not_a_repository_is_skipped(mirror):
    target = mirror.path("ops/infra")
    target.mkdir(parents=True)
    (target / "notes.txt").write_text("mine\n")
    mirror.run()
    rec = mirror.records()["ops/infra"]
    assert (rec["result"], rec["reason"]) == ("skipped",
                                             "folder exists and is not a git repository")
    assert (target / "notes.txt").read_text() == "mine\n"


def test_recursive_clones_and_updates_submodules(fake_gitlab, run_glmirror, tmp_path):
    spec = {"groups": [{"name": "G", "path": "g", "projects": [
        {"name": "lib", "path": "lib", "commits": 2},
        {"name": "app", "path": "app", "submodules": {"vendor/lib": "g/lib"}}]}]}
    m = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=spec)
    m.run("-r")
    app = m.path("g/app")
    sub = app / "vendor" / "lib"
    assert git(sub, "rev-parse", "HEAD") == m.upstream("g/lib")
    assert (sub / "README.md").is_file()
    assert m.fake.token not in (app / ".git" / "modules" / "vendor" / "lib" / "config").read_text()
    assert no_token_below(m.dest, m.fake.token) == []
    # Without -r the submodule stays an empty folder.
    m.run(dest=tmp_path / "plain")
    assert list((tmp_path / "plain" / "G" / "app" / "vendor" / "lib").iterdir()) == []


def test_progress_line(mirror):
    proc = mirror.run("--progress", "always")
    # (text mode turns the status line's \r into \n)
    assert "\033[Ksynced 0/6 projects, " in proc.stderr
    proc = mirror.run("--progress", "never")
    assert "\033[K" not in proc.stderr
    assert "synced 6 projects in" in proc.stderr
