"""A mirror over several runs ("nights") with changes in GitLab between them:
moves by project id (project rename, move between groups, group rename with
its whole subtree, group move, -n name to -n path), orphans, --prune and its
shrink guard.  Each run syncs from a tree file written from the fake's truth
(-f), so the crawl is not involved; DEST keeps .glmirror-state.json between
runs."""
import json
import shutil

from test_sync import Mirror, git, leftovers

SPEC = {
    "groups": [
        {"name": "Alpha", "path": "alpha", "projects": [
            {"name": "one", "path": "one", "commits": 2},
            {"name": "two", "path": "two"},
        ], "subgroups": [
            {"name": "Inner", "path": "inner", "projects": [
                {"name": "deep", "path": "deep"},
            ]},
        ]},
        {"name": "Beta", "path": "beta", "projects": [
            {"name": "three", "path": "three"},
            {"name": "four", "path": "four"},
        ]},
        {"name": "Gamma", "path": "gamma", "projects": [
            {"name": "five", "path": "five"},
        ]},
    ],
}


def upload_packs(fake):
    """POST git-upload-pack requests since the last reset: each one is a pack."""
    return [r for r in fake.stats()["requests"]
            if r["method"] == "POST" and r["path"].endswith("/git-upload-pack")]


def by_id(mirror):
    return {r["id"]: r for r in mirror.records().values()}


def ids(mirror):
    return {p["path_with_namespace"]: p["id"] for p in mirror.fake.truth()["projects"]}


def night(mirror, *args, code=0):
    mirror.rewrite_tree()
    mirror.fake.reset_stats()
    return mirror.run(*args, code=code)


def test_moves_by_id_fetch_no_pack_and_carry_local_work(fake_gitlab, run_glmirror, tmp_path):
    m = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=SPEC)
    m.run()
    pid = ids(m)
    one = m.dest / "Alpha/one"
    (one / "README.md").write_text("local edit\n")
    (one / "notes.txt").write_text("untracked\n")
    head = git(one, "rev-parse", "HEAD")

    # Night 2: a project renamed, one moved to another group, a top group renamed.
    m.fake.control("rename", project="alpha/two", name="two renamed", path="two-renamed")
    m.fake.control("move", project="beta/four", to="gamma")
    m.fake.control("rename", group="alpha", name="Alpha Prime", path="alpha-prime")
    proc = night(m, "--verbose")
    assert upload_packs(m.fake) == []  # moved, unchanged: nothing cloned or fetched
    assert "4 moved" in proc.stderr
    recs = by_id(m)
    assert recs[pid["alpha/one"]]["moved_from"] == "/Alpha/one"
    assert recs[pid["alpha/one"]]["path"] == "/Alpha Prime/one"
    assert recs[pid["alpha/two"]]["moved_from"] == "/Alpha/two"
    assert recs[pid["alpha/two"]]["path"] == "/Alpha Prime/two renamed"
    assert recs[pid["alpha/inner/deep"]]["moved_from"] == "/Alpha/Inner/deep"
    assert recs[pid["beta/four"]]["moved_from"] == "/Beta/four"
    assert "moved_from" not in recs[pid["beta/three"]]
    # The local work travelled; the project's update left it alone.
    new_one = m.dest / "Alpha Prime/one"
    assert (new_one / "notes.txt").read_text() == "untracked\n"
    assert (new_one / "README.md").read_text() == "local edit\n"
    assert git(new_one, "rev-parse", "HEAD") == head
    assert git(new_one, "config", "remote.origin.url") == m.fake.clone_url("alpha-prime/one")
    assert git(m.dest / "Gamma/four", "config", "remote.origin.url") == \
        m.fake.clone_url("gamma/four")
    # The old group folder, emptied by the moves, is gone; Beta still has three.
    assert not (m.dest / "Alpha").exists()
    assert sorted(p.name for p in (m.dest / "Beta").iterdir()) == ["three"]
    assert leftovers(m.dest) == []

    # Night 3: a group moved into another, a push to a moved project.
    m.fake.control("move", group="gamma", to="beta")
    pushed = m.fake.control("push", project="beta/gamma/five")["commit"]
    proc = night(m)
    assert "2 moved" in proc.stderr
    assert len(upload_packs(m.fake)) == 1  # only the pushed project fetches a pack
    assert git(m.dest / "Beta/Gamma/five", "rev-parse", "HEAD") == pushed
    assert by_id(m)[pid["gamma/five"]]["result"] == "updated"
    assert not (m.dest / "Gamma").exists()

    # Night 4: the same tree with folders named by path.
    proc = night(m, "-n", "path")
    assert "6 moved" in proc.stderr
    assert upload_packs(m.fake) == []
    assert (m.dest / "alpha-prime/inner/deep/.git").is_dir()
    assert (m.dest / "alpha-prime/one/notes.txt").is_file()
    assert sorted(p.name for p in m.dest.iterdir() if not p.name.startswith(".")) == \
        ["alpha-prime", "beta"]


def test_a_taken_new_place_skips_the_move(fake_gitlab, run_glmirror, tmp_path):
    m = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=SPEC)
    m.run()
    pid = ids(m)
    m.fake.control("rename", project="beta/three", name="three b", path="three-b")
    (m.dest / "Beta/three b").mkdir()
    (m.dest / "Beta/three b/mine.txt").write_text("someone else's\n")
    night(m, code=0)
    rec = by_id(m)[pid["beta/three"]]
    assert rec["result"] == "skipped" and "moved_from" not in rec
    assert rec["reason"] == "cannot move it from '/Beta/three': '/Beta/three b' is taken"
    assert (m.dest / "Beta/three/.git").is_dir()
    assert sorted(p.name for p in (m.dest / "Beta/three b").iterdir()) == ["mine.txt"]
    state = (m.dest / ".glmirror-state.json").read_text().splitlines()
    assert json.loads(state[0]) == {"glmirror_state": 1}
    entries = {e["id"]: e["path"] for e in map(json.loads, state[1:])}
    assert entries[pid["beta/three"]] == "/Beta/three"


ORPHAN_REASON = ("no longer in the tree (deleted, moved out of reach, access lost or filtered "
                 "out); left in place")


def test_deleted_and_filtered_projects_are_reported_orphaned(fake_gitlab, run_glmirror,
                                                             tmp_path):
    m = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=SPEC)
    m.run()
    pid = ids(m)
    m.fake.control("delete", project="beta/four")
    m.fake.control("rename", project="alpha/two", name="two b", path="two-b")
    m.rewrite_tree()
    proc = m.run("--dry-run", "-x", "/Gamma/**")
    assert sorted(proc.stdout.splitlines()) == [
        "move /Alpha/two b: from /Alpha/two", "orphan /Beta/four", "orphan /Gamma/five",
        "update /Alpha/Inner/deep", "update /Alpha/one", "update /Beta/three"]
    assert (m.dest / "Alpha/two/.git").is_dir()
    proc = night(m, "-x", "/Gamma/**")
    assert "synced 4 projects" in proc.stderr and "1 moved, 2 orphaned" in proc.stderr
    assert "orphaned: /Beta/four: no longer in the tree" in proc.stderr
    recs = by_id(m)
    for full, path in (("beta/four", "/Beta/four"), ("gamma/five", "/Gamma/five")):
        r = recs[pid[full]]
        assert (r["path"], r["full_path"], r["action"], r["result"], r["reason"]) == \
            (path, full, "none", "orphaned", ORPHAN_REASON)
        assert (m.dest / path.lstrip("/") / ".git").is_dir()
    assert {r["result"] for i, r in recs.items()
            if i not in (pid["beta/four"], pid["gamma/five"])} == {"unchanged"}
    assert recs[pid["alpha/two"]]["moved_from"] == "/Alpha/two"
    # Reported again on the next night, until the folder is gone.
    proc = night(m)
    assert "1 orphaned" in proc.stderr and by_id(m)[pid["beta/four"]]["result"] == "orphaned"
    shutil.rmtree(m.dest / "Beta/four")
    proc = night(m)
    assert "orphaned" not in proc.stderr
    assert pid["beta/four"] not in by_id(m)


def test_shards_find_moves_and_orphans_in_one_dest(fake_gitlab, run_glmirror, tmp_path):
    m = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=SPEC)
    for k in range(3):
        m.run("--shard", f"{k}/3")
    pid = ids(m)
    m.fake.control("rename", group="alpha", name="Alpha Prime", path="alpha-prime")
    m.fake.control("delete", project="beta/three")
    moved = orphaned = 0
    for k in range(3):
        proc = night(m, "--shard", f"{k}/3")
        recs = by_id(m)
        moved += sum("moved_from" in r for r in recs.values())
        orphaned += sum(r["result"] == "orphaned" for r in recs.values())
        assert upload_packs(m.fake) == []
    assert (moved, orphaned) == (3, 1)
    assert (m.dest / "Alpha Prime/Inner/deep/.git").is_dir()
    assert not (m.dest / "Alpha").exists()
    assert (m.dest / "Beta/three/.git").is_dir()
    assert pid["beta/three"] in {json.loads(line)["id"] for line in
                                 (m.dest / ".glmirror-state.json").read_text().splitlines()[1:]}


def trash_of(m):
    runs = list((m.dest / ".glmirror-trash").iterdir())
    assert len(runs) == 1 and len(runs[0].name) == len("20261206T051500Z")
    return runs[0]


def test_prune_moves_clean_orphans_to_the_trash_and_keeps_local_work(fake_gitlab, run_glmirror,
                                                                     tmp_path):
    m = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=SPEC)
    m.run()
    pid = ids(m)
    (m.dest / "Beta/three/untracked.txt").write_text("mine\n")
    git(m.dest / "Gamma/five", "commit", "-q", "--allow-empty", "-m", "local")
    git(m.dest / "Alpha/Inner/deep", "stash", "-q", "--include-untracked", check=False)
    (m.dest / "Alpha/Inner/deep/README.md").write_text("to stash\n")
    git(m.dest / "Alpha/Inner/deep", "stash", "-q")
    assert git(m.dest / "Alpha/Inner/deep", "status", "--porcelain") == ""
    for full in ("beta/three", "beta/four", "gamma/five", "alpha/inner/deep"):
        m.fake.control("delete", project=full)
    proc = night(m, "--prune", "--prune-max", "70")
    assert "4 orphaned, 1 pruned" in proc.stderr
    recs = by_id(m)
    four = recs[pid["beta/four"]]
    assert (four["action"], four["result"]) == ("prune", "pruned")
    trash = trash_of(m)
    assert four["reason"] == f"moved to .glmirror-trash/{trash.name}/Beta/four"
    assert (trash / "Beta/four/.git").is_dir() and not (m.dest / "Beta/four").exists()
    for full, why in (("beta/three", "uncommitted or untracked changes"),
                      ("gamma/five", "commits on branch 'main' that are on no remote branch"),
                      ("alpha/inner/deep", "stashed changes")):
        r = recs[pid[full]]
        assert (r["action"], r["result"], r["reason"]) == \
            ("prune", "skipped", f"not pruned: {why}"), full
        assert (m.dest / r["path"].lstrip("/") / ".git").is_dir()
    assert (m.dest / "Beta/three/untracked.txt").read_text() == "mine\n"
    # The pruned orphan is forgotten; the kept ones are reported again.
    proc = night(m, "--prune", "--prune-max", "100")
    assert "3 orphaned" in proc.stderr and "moved to" not in proc.stderr
    assert pid["beta/four"] not in by_id(m)


def test_shrink_guard_stops_a_run_that_would_prune_most_of_the_mirror(fake_gitlab, run_glmirror,
                                                                      tmp_path):
    m = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=SPEC)
    m.run()
    before = sorted(str(p.relative_to(m.dest)) for p in m.dest.rglob("*") if ".git" not in
                    p.parts and p.name != ".glmirror-state.json")
    state = (m.dest / ".glmirror-state.json").read_text()
    m.fake.control("delete", group="alpha")
    m.fake.control("delete", group="beta")
    m.fake.control("rename", project="gamma/five", name="five b", path="five-b")
    proc = night(m, "--prune", code=1)
    assert ("not pruning: 5 of the 6 projects mirrored here (83%) would go to the trash, more "
            "than --prune-max 10%; nothing was changed. If they really are gone, run again "
            "with --prune-max 84") in proc.stderr
    assert upload_packs(m.fake) == []
    after = sorted(str(p.relative_to(m.dest)) for p in m.dest.rglob("*") if ".git" not in
                   p.parts and p.name != ".glmirror-state.json")
    assert after == before and not (m.dest / ".glmirror-trash").exists()
    assert (m.dest / ".glmirror-state.json").read_text() == state
    recs = m.records()
    assert {r["result"] for r in recs.values()} == {"orphaned", "skipped"}
    assert len(recs) == 6
    # Without --prune the same night is an ordinary run: the move happens, orphans stay.
    proc = night(m)
    assert "1 moved, 5 orphaned" in proc.stderr
    assert (m.dest / "Gamma/five b/.git").is_dir()
    # The override the message names prunes them.
    proc = night(m, "--prune", "--prune-max", "84")
    assert "5 orphaned, 5 pruned" in proc.stderr
    assert sorted(p.name for p in m.dest.iterdir()) == [
        ".glmirror-state.json", ".glmirror-trash", "Gamma"]


def test_an_incomplete_crawl_prunes_nothing(fake_gitlab, run_glmirror, tmp_path):
    """Crawled, not from a tree file: a listing that keeps failing leaves the
    tree incomplete, so its projects look deleted; --prune must not act."""
    fake = fake_gitlab(spec=SPEC)
    dest = tmp_path / "dest"

    def crawl_and_sync(*args, code):
        proc = run_glmirror(["-u", fake.url, "-m", "http", "--api-retries", "0",
                             "--progress", "never", *args, dest],
                            env={"GITLAB_TOKEN": fake.token})
        assert proc.returncode == code, proc.stderr
        return proc
    crawl_and_sync(code=0)
    beta = next(g["id"] for g in fake.truth()["groups"] if g["full_path"] == "beta")
    fake.control("override", path_regex=rf"/groups/{beta}/projects", status=500)
    proc = crawl_and_sync("--prune", "--prune-max", "100", code=1)
    assert "not pruning: the crawl was incomplete" in proc.stderr
    assert "Run again when the crawl completes, or without --prune" in proc.stderr
    assert (dest / "Beta/three/.git").is_dir() and (dest / "Beta/four/.git").is_dir()
    assert not (dest / ".glmirror-trash").exists()
