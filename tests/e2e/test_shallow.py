"""-o --depth N (gitlabber's `git clone --depth N`): shallow clones that stay
shallow on later runs, with libgit2 1.7+; with an older libgit2 the option is
refused before any work.  Which of the two the binary is comes from its
--version line, so neither case is skipped."""
import subprocess

import pytest

from test_sync import Mirror, git

SHALLOW_NOTE = "shallow clones (-o --depth): "


@pytest.fixture
def shallow(glmirror_bin):
    """True when this glmirror's libgit2 clones shallow."""
    out = subprocess.run([glmirror_bin, "--version"], capture_output=True, text=True,
                         timeout=30, check=True).stdout
    line = next(x for x in out.splitlines() if SHALLOW_NOTE in x)
    return line.split(SHALLOW_NOTE, 1)[1].startswith("yes")


@pytest.fixture
def mirror(fake_gitlab, run_glmirror, tmp_path):
    return Mirror(fake_gitlab, run_glmirror, tmp_path)


def test_depth_1_clones_shallow_and_stays_shallow(mirror, shallow):
    if not shallow:
        proc = mirror.run("-o", "--depth,1", code=2)
        assert "git option '--depth' is not supported by glmirror with libgit2" in proc.stderr
        assert "shallow clones need libgit2 1.7 or later" in proc.stderr
        assert not mirror.dest.exists()
        return
    proc = mirror.run("--dry-run", "-o", "--depth=1", dest=mirror.tmp / "dry")
    assert "clone /Data Science/Deep Sub/tool: shallow, depth 1" in proc.stdout
    mirror.run("-o", "--depth,1")
    repo = mirror.path("data-science/deep/tool")  # three commits upstream
    assert git(repo, "rev-list", "--count", "HEAD") == "1"
    assert (repo / ".git" / "shallow").is_file()
    assert git(repo, "rev-parse", "--is-shallow-repository") == "true"
    assert mirror.records()["data-science/deep/tool"]["depth"] == 1
    first = git(repo, "rev-parse", "HEAD")

    pushed = mirror.fake.control("push", project="data-science/deep/tool")["commit"]
    proc = mirror.run("--verbose", "-o", "--depth=1")
    rec = mirror.records()["data-science/deep/tool"]
    assert (rec["action"], rec["result"]) == ("update", "updated"), rec
    assert "force-push" not in rec["reason"] + proc.stderr
    assert git(repo, "rev-parse", "HEAD") == pushed
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "rev-parse", "--is-shallow-repository") == "true"
    # no deepening: at most the old tip and the new one, never the whole history
    assert git(repo, "rev-list", "--count", "HEAD") in ("1", "2")
    # the old boundary is kept, as git keeps it: the old tip (in the reflog) stays whole
    roots = (repo / ".git" / "shallow").read_text().split()
    assert pushed in roots and first in roots, roots
    git(repo, "fsck", "--no-progress")


def test_depth_with_mirror_is_refused_before_any_work(mirror, shallow):
    proc = mirror.run("--mirror", "-o", "--depth=1", code=2)
    if shallow:
        assert "git option --depth cannot go with --mirror" in proc.stderr
    else:
        assert "git option '--depth' is not supported by glmirror with libgit2" in proc.stderr
    assert not mirror.dest.exists()


def test_submodules_are_cloned_whole(fake_gitlab, run_glmirror, tmp_path, shallow):
    """As git clone --depth without --shallow-submodules: the submodule has the
    commit the superproject records even when its branch moved on."""
    spec = {"groups": [{"name": "G", "path": "g", "projects": [
        {"name": "lib", "path": "lib", "commits": 2},
        {"name": "app", "path": "app", "submodules": {"vendor/lib": "g/lib"}}]}]}
    m = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=spec)
    m.run("-r", dest=tmp_path / "first")  # the fake builds app, recording lib's tip
    recorded = git(tmp_path / "first" / "G" / "app" / "vendor" / "lib", "rev-parse", "HEAD")
    m.fake.control("push", project="g/lib")
    if not shallow:
        m.run("-r", "-o", "--depth=1", code=2)
        return
    m.run("-r", "-o", "--depth=1")
    app = m.path("g/app")
    assert git(app, "rev-parse", "--is-shallow-repository") == "true"
    sub = app / "vendor" / "lib"
    assert git(sub, "rev-parse", "HEAD") == recorded
    assert git(sub, "rev-parse", "--is-shallow-repository") == "false"
