"""Checkouts follow upstream like a mirror when nothing local can be lost:
a force-push, a renamed default branch, a deleted branch; with local work
they are left alone and skipped with the reason.  --mirror follows
force-pushes, moved tags and the default branch; checkouts take moved tags
only with --force-tags.  Every case's --report record says what happened."""
import pytest

from test_sync import Mirror, git


@pytest.fixture
def mirror(fake_gitlab, run_glmirror, tmp_path):
    return Mirror(fake_gitlab, run_glmirror, tmp_path)


def record(mirror, full_path):
    r = mirror.records()[full_path]
    return r["result"], r["reason"]


def local_commit(repo):
    (repo / "mine.txt").write_text("local commit\n")
    git(repo, "add", "mine.txt")
    git(repo, "commit", "-q", "-m", "local")


def reachable(repo, sha):
    return git(repo, "cat-file", "-t", sha, check=False) == "commit"


def test_force_push_is_followed_when_nothing_local(mirror):
    mirror.run()
    repo = mirror.path("ops/infra")
    old = git(repo, "rev-parse", "HEAD")
    new = mirror.fake.control("force_push", project="ops/infra")["commit"]
    proc = mirror.run("--verbose")
    result, reason = record(mirror, "ops/infra")
    assert result == "updated"
    assert reason == f"followed a force-push (old head {old[:12]}, kept in the reflog)"
    assert f"followed a force-push, old head {old}" in proc.stderr
    assert f"updated: /Ops/infra: followed a force-push (old head {old[:12]}" in proc.stderr
    assert git(repo, "rev-parse", "HEAD") == new
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    # The old head stays reachable from the reflog, which names it.
    assert reachable(repo, old)
    assert git(repo, "rev-parse", "main@{1}") == old
    assert f"followed a force-push (old head {old})" in git(repo, "reflog", "-1", "main")
    mirror.run()
    assert record(mirror, "ops/infra") == ("unchanged", "")


def test_force_push_with_local_work_is_left_alone(mirror):
    mirror.run()
    ahead = mirror.path("ops/infra")
    local_commit(ahead)
    dirty = mirror.path("data-science/deep/tool")
    (dirty / "README.md").write_text("my uncommitted work\n")
    merging = mirror.path("data-science/model-zoo")
    git(merging, "merge", "-q", "--no-ff", "--no-commit", "origin/dev")
    before = {p: git(mirror.path(p), "rev-parse", "HEAD")
              for p in ("ops/infra", "data-science/deep/tool", "data-science/model-zoo")}
    for p in before:
        mirror.fake.control("force_push", project=p)
    mirror.run()
    assert record(mirror, "ops/infra") == ("skipped", "diverged (2 local and 1 upstream commits)")
    assert record(mirror, "data-science/deep/tool") == ("skipped", "local changes")
    assert record(mirror, "data-science/model-zoo") == (
        "skipped", "local changes (a merge, rebase or similar is in progress)")
    assert (merging / ".git" / "MERGE_HEAD").is_file()
    for p, sha in before.items():
        assert git(mirror.path(p), "rev-parse", "HEAD") == sha
    assert (dirty / "README.md").read_text() == "my uncommitted work\n"
    assert (ahead / "mine.txt").read_text() == "local commit\n"
    # Once the change is discarded, the next run follows the force-push it
    # fetched already: the remote-tracking ref's reflog knows the old head.
    git(dirty, "checkout", "-q", "--", "README.md")
    mirror.run()
    assert record(mirror, "data-science/deep/tool")[1].startswith("followed a force-push")
    assert git(dirty, "rev-parse", "HEAD") == mirror.upstream("data-science/deep/tool")
    assert record(mirror, "ops/infra")[0] == "skipped"


def test_force_push_to_an_older_commit_is_followed(mirror):
    mirror.run()
    repo = mirror.path("data-science/deep/tool")
    old = git(repo, "rev-parse", "HEAD")
    bare = mirror.fake.control("repo_path", project="data-science/deep/tool")["path"]
    git(bare, "update-ref", "refs/heads/main", "main~1")
    mirror.run()
    assert record(mirror, "data-science/deep/tool")[1].startswith("followed a force-push")
    assert git(repo, "rev-parse", "HEAD") == git(bare, "rev-parse", "main")
    assert git(repo, "rev-parse", "main@{1}") == old


def rename_default(mirror, project, new, old="main", delete_old=True):
    mirror.fake.control("default_branch", project=project, branch=new, delete_old=delete_old,
                        **{"from": old})
    mirror.rewrite_tree()


@pytest.mark.parametrize("delete_old", [True, False], ids=["old-deleted", "old-kept"])
def test_renamed_default_branch_is_followed(mirror, delete_old):
    mirror.run()
    repo = mirror.path("ops/infra")
    tip = git(repo, "rev-parse", "HEAD")
    rename_default(mirror, "ops/infra", "trunk", delete_old=delete_old)
    mirror.run()
    assert record(mirror, "ops/infra") == ("updated", "switched to new default branch trunk")
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD") == "trunk"
    assert git(repo, "rev-parse", "--abbrev-ref", "trunk@{upstream}") == "origin/trunk"
    assert git(repo, "symbolic-ref", "refs/remotes/origin/HEAD") == "refs/remotes/origin/trunk"
    assert git(repo, "status", "--porcelain") == ""
    # The old local branch costs nothing and is kept.
    assert git(repo, "rev-parse", "refs/heads/main") == tip
    pushed = mirror.fake.control("push", project="ops/infra")["commit"]
    mirror.run()
    assert record(mirror, "ops/infra") == ("updated", "")
    assert git(repo, "rev-parse", "HEAD") == pushed


def test_renamed_default_with_local_work_is_skipped(mirror):
    mirror.run()
    dirty, ahead = mirror.path("ops/infra"), mirror.path("data-science/deep/tool")
    (dirty / "README.md").write_text("mine\n")
    local_commit(ahead)
    # A local branch named like the new default, with a commit of its own.
    taken = mirror.path("data-science/ete")
    git(taken, "checkout", "-q", "-b", "trunk")
    local_commit(taken)
    git(taken, "checkout", "-q", "main")
    for p in ("ops/infra", "data-science/deep/tool", "data-science/ete"):
        rename_default(mirror, p, "trunk")
    mirror.run()
    assert record(mirror, "ops/infra") == ("skipped", "local changes")
    assert record(mirror, "data-science/deep/tool") == (
        "skipped", "default branch changed; not switched to trunk: local commits on main")
    assert record(mirror, "data-science/ete") == (
        "skipped", "default branch is now trunk; not switched: local branch trunk has commits "
        "of its own")
    for repo in (dirty, ahead, taken):
        assert git(repo, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert (ahead / "mine.txt").is_file()
    # Once the work is put away, the next run follows.
    git(dirty, "checkout", "-q", "--", "README.md")
    mirror.run()
    assert record(mirror, "ops/infra") == ("updated", "switched to new default branch trunk")


def test_a_checkout_on_a_feature_branch_is_left_alone(mirror):
    mirror.run()
    repo = mirror.path("data-science/model-zoo")
    git(repo, "checkout", "-q", "dev")
    rename_default(mirror, "data-science/model-zoo", "trunk")
    mirror.run()
    assert record(mirror, "data-science/model-zoo") == ("updated", "")
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD") == "dev"
    mirror.run()
    assert record(mirror, "data-science/model-zoo") == ("unchanged", "")
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD") == "dev"


def test_deleted_branch_switches_to_the_default_branch(mirror):
    mirror.run()
    repo = mirror.path("data-science/model-zoo")
    git(repo, "checkout", "-q", "dev")
    dev = git(repo, "rev-parse", "HEAD")
    mirror.fake.control("delete_branch", project="data-science/model-zoo", branch="dev")
    mirror.run()
    assert record(mirror, "data-science/model-zoo") == (
        "updated", "branch dev deleted upstream, switched to default branch main")
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert git(repo, "rev-parse", "HEAD") == mirror.upstream("data-science/model-zoo")
    assert git(repo, "rev-parse", "refs/heads/dev") == dev


def test_mirror_follows_force_push_moved_tag_and_default_branch(mirror):
    mirror.run("--mirror")
    repo = mirror.path("data-science/model-zoo")
    old = git(repo, "rev-parse", "refs/heads/dev")
    new = mirror.fake.control("force_push", project="data-science/model-zoo",
                              branch="dev")["commit"]
    mirror.fake.control("tag", project="data-science/model-zoo", tag="v1.0", ref=new)
    main = git(repo, "rev-parse", "refs/heads/main")
    rename_default(mirror, "data-science/model-zoo", "trunk")
    mirror.run("--mirror")
    assert record(mirror, "data-science/model-zoo") == (
        "updated", "followed a force-push of dev; tag v1.0 moved upstream; "
        "HEAD follows the new default branch trunk")
    assert git(repo, "rev-parse", "refs/heads/dev") == new
    assert not git(repo, "merge-base", "--is-ancestor", old, new, check=False)
    assert git(repo, "rev-parse", "refs/tags/v1.0") == new
    assert git(repo, "rev-parse", "refs/heads/trunk") == main
    assert git(repo, "symbolic-ref", "HEAD") == "refs/heads/trunk"
    heads = git(repo, "for-each-ref", "--format=%(refname)", "refs/heads").split()
    assert heads == ["refs/heads/dev", "refs/heads/trunk"]


def test_moved_tags_reach_checkouts_only_with_force_tags(mirror):
    mirror.run()
    repo = mirror.path("data-science/model-zoo")
    old = git(repo, "rev-parse", "refs/tags/v1.0")
    git(repo, "tag", "mine")
    moved = mirror.fake.control("push", project="data-science/model-zoo")["commit"]
    mirror.fake.control("tag", project="data-science/model-zoo", tag="v1.0", ref=moved)
    mirror.run()
    assert record(mirror, "data-science/model-zoo") == ("updated", "")
    assert git(repo, "rev-parse", "refs/tags/v1.0") == old
    mirror.run("--force-tags")
    assert record(mirror, "data-science/model-zoo") == ("updated", "tag v1.0 moved upstream")
    assert git(repo, "rev-parse", "refs/tags/v1.0") == moved
    # A tag of one's own is not pruned.
    assert git(repo, "rev-parse", "refs/tags/mine") == old


def test_single_branch_checkout_says_why_it_cannot_follow(mirror):
    mirror.run("-o", "--single-branch")
    repo = mirror.path("ops/infra")
    tip = git(repo, "rev-parse", "HEAD")
    rename_default(mirror, "ops/infra", "trunk")
    mirror.run("-o", "--single-branch")
    assert record(mirror, "ops/infra") == (
        "skipped", "default branch is now trunk, which origin does not fetch")
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert git(repo, "rev-parse", "HEAD") == tip
