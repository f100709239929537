"""A full disk: DEST is a size-limited tmpfs (root mounts it; the test fails,
never hangs or skips, when it cannot) and the fake's repositories carry
incompressible files, so the clones fill it.  At the first "no space left
on device" no new clone or fetch starts, the rest are skipped with reason
'disk full', said once, exit 1; what was cloned is intact and no temporary
folder or file is left."""
import os
import subprocess

import pytest

from test_lifecycle import SPEC
from test_sync import GIT_ENV, Mirror, git, leftovers

BLOB_BYTES = 1_500_000  # a clone takes ~2x: the pack and the checkout


def mount_tmpfs(path, size):
    path.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                           str(path)], capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs at {path} (the test needs root): {proc.stderr}")


def add_big_file(fake, full_path, seed):
    """A commit with BLOB_BYTES of random bytes on the default branch, made in
    the fake's bare repository with git's plumbing."""
    bare = fake.control("repo_path", project=full_path)["path"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_ENV)

    def plumb(*args, data):
        return subprocess.run(["git", "-C", bare, *args], input=data, capture_output=True,
                              env=env, check=True).stdout.decode().strip()
    blob = plumb("hash-object", "-w", "--stdin", data=os.urandom(BLOB_BYTES))
    tree = plumb("mktree", data=f"100644 blob {blob}\tbig-{seed}.bin\n".encode())
    head = plumb("symbolic-ref", "HEAD", data=b"")
    parent = plumb("rev-parse", head, data=b"")
    commit = plumb("commit-tree", tree, "-p", parent, "-m", "big", data=b"")
    plumb("update-ref", head, commit, data=b"")
    return commit


def stray_files(root):
    """Temporary folders of clones and libgit2's temporary pack or lock files."""
    out = leftovers(root)
    for dirpath, _, files in os.walk(root):
        out += [os.path.join(dirpath, f) for f in files
                if f.startswith("pack_git2_") or f.endswith(".lock") or ".tmp." in f]
    return out


def test_a_full_disk_stops_new_work_and_leaves_nothing_half_written(fake_gitlab, run_glmirror,
                                                                   tmp_path):
    m = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=SPEC)
    for i, full in enumerate(sorted(m.paths)):
        add_big_file(m.fake, full, i)
    m.dest = tmp_path / "small"
    mount_tmpfs(m.dest, "8m")
    try:
        m.fake.reset_stats()
        proc = m.run("-c", "2", code=1)
        recs = m.records()
        results = sorted(r["result"] for r in recs.values())
        cloned = [f for f, r in recs.items() if r["result"] == "cloned"]
        failed = [r for r in recs.values() if r["result"] == "failed"]
        skipped = [f for f, r in recs.items() if r["result"] == "skipped"]
        assert cloned and failed and skipped, [(f, r["result"], r["reason"]) for f, r in recs.items()]
        assert len(cloned) + len(failed) + len(skipped) == len(m.paths)
        # The first to hit it says so; one started alongside may fail in other words.
        assert any("No space left on device" in r["reason"] for r in failed), \
            [r["reason"] for r in failed]
        for full in skipped:
            assert (recs[full]["action"], recs[full]["reason"]) == ("none", "disk full")
            assert not [r for r in m.fake.stats()["requests"]
                        if r["path"].startswith(f"/{full}.git/")], full
            assert not m.path(full).exists()
        # One line for all the projects not started, none for each of them.
        assert proc.stderr.count("'disk full'") == 1, proc.stderr
        assert "skipped: " not in proc.stderr
        assert f"{len(skipped)} projects were skipped" in proc.stderr
        for full in cloned:
            repo = m.path(full)
            assert git(repo, "rev-parse", "HEAD") == m.upstream(full)
            assert git(repo, "status", "--porcelain") == ""
            git(repo, "fsck", "--no-progress")
        assert stray_files(m.dest) == []
    finally:
        subprocess.run(["umount", "-l", str(m.dest)], capture_output=True, timeout=30)


def test_a_full_disk_during_fetches_keeps_every_checkout_intact(fake_gitlab, run_glmirror,
                                                                tmp_path):
    m = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=SPEC)
    m.dest = tmp_path / "small"
    mount_tmpfs(m.dest, "8m")
    try:
        m.run()
        heads = {full: git(m.path(full), "rev-parse", "HEAD") for full in m.paths}
        for i, full in enumerate(sorted(m.paths)):
            add_big_file(m.fake, full, i)
        m.run("-c", "1", code=1)
        recs = m.records()
        assert {r["result"] for r in recs.values()} >= {"failed", "skipped"}
        assert [r for r in recs.values() if r["reason"] == "disk full"]
        for full, r in recs.items():
            repo = m.path(full)
            want = m.upstream(full) if r["result"] == "updated" else heads[full]
            assert git(repo, "rev-parse", "HEAD") == want, (full, r)
            # No half-written file of the new commit (the disk is still nearly full:
            # status must not try to write the index).
            assert git(repo, "--no-optional-locks", "status", "--porcelain",
                       "--untracked-files=all") == "", (full, r)
            git(repo, "fsck", "--no-progress")
        assert stray_files(m.dest) == []
    finally:
        subprocess.run(["umount", "-l", str(m.dest)], capture_output=True, timeout=30)
