"""Transient failures of git requests (502/503 on info/refs, 429 with
Retry-After, connections reset on git-upload-pack) are retried with backoff
until every project is cloned; 403 is not retried; a project that keeps
failing says how often it was tried.  Faults are the fake's overrides on the
git smart-HTTP paths, one project each, so each sees a known number."""
from test_lifecycle import SPEC
from test_sync import Mirror, git, leftovers

LOAD = "GitLab is currently unable to handle this request due to load.\n"


def requests_to(fake, full_path, rest):
    return [r for r in fake.stats()["requests"]
            if r["path"].split("?")[0] == f"/{full_path}.git/{rest}"]


def test_transient_git_failures_are_retried_until_every_project_is_cloned(
        fake_gitlab, run_glmirror, tmp_path):
    m = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=SPEC)
    ov = m.fake.control
    ov("override", path_regex=r"^/alpha/one\.git/info/refs", status=502, times=3)
    ov("override", path_regex=r"^/alpha/two\.git/info/refs", status=503, body=LOAD, times=2)
    ov("override", path_regex=r"^/beta/three\.git/info/refs", status=429,
       headers={"Retry-After": "1"}, times=2)
    ov("override", path_regex=r"^/beta/four\.git/git-upload-pack$", method="POST",
       fault="reset", times=3)
    ov("override", path_regex=r"^/gamma/five\.git/git-upload-pack$", method="POST",
       status=502, times=2)
    m.fake.reset_stats()
    proc = m.run("-c", "3", "--verbose")
    recs = m.records()
    assert {r["result"] for r in recs.values()} == {"cloned"}, recs
    statuses = [r["status"] for r in m.fake.stats()["requests"]]
    assert statuses.count(502) == 5 and statuses.count(503) == 2
    assert statuses.count(429) == 2 and statuses.count(0) == 3  # 0: reset
    assert proc.stderr.count("trying again in") == 12
    assert "429" in proc.stderr
    for full in m.paths:
        repo = m.path(full)
        assert git(repo, "rev-parse", "HEAD") == m.upstream(full)
        assert git(repo, "status", "--porcelain") == ""
    assert leftovers(m.dest) == []
    # A fetch is retried the same way.
    pushed = m.fake.control("push", project="beta/four")["commit"]
    ov("override", path_regex=r"^/beta/four\.git/git-upload-pack$", method="POST",
       fault="reset", times=2)
    m.run()
    assert m.records()["beta/four"]["result"] == "updated"
    assert git(m.path("beta/four"), "rev-parse", "HEAD") == pushed


def test_forbidden_is_not_retried_and_a_lasting_failure_says_how_often_it_was_tried(
        fake_gitlab, run_glmirror, tmp_path):
    m = Mirror(fake_gitlab, run_glmirror, tmp_path, spec=SPEC)
    m.fake.control("override", path_regex=r"^/beta/three\.git/info/refs", status=403)
    m.fake.control("override", path_regex=r"^/gamma/five\.git/info/refs", status=502)
    m.fake.reset_stats()
    m.run("--git-retries", "2", code=1)
    recs = m.records()
    assert len(requests_to(m.fake, "beta/three", "info/refs")) == 1
    assert recs["beta/three"]["result"] == "failed"
    assert "403" in recs["beta/three"]["reason"] and "tries" not in recs["beta/three"]["reason"]
    assert len(requests_to(m.fake, "gamma/five", "info/refs")) == 3
    assert recs["gamma/five"]["result"] == "failed"
    assert recs["gamma/five"]["reason"].endswith("(after 3 tries)"), recs["gamma/five"]
    assert {r["result"] for f, r in recs.items()
            if f not in ("beta/three", "gamma/five")} == {"cloned"}
    assert not m.path("gamma/five").exists() and leftovers(m.dest) == []
