"""The crawl against the fake GitLab: the tree it finds equals the fake's
truth for every option, with few API calls, through dead workers, failing
pages, rejected tokens, wrong URLs, signals and rate limits."""
import json
import os
import signal
import subprocess

import pytest

from conftest import clean_env
from crawlcheck import expected_shape, gitlabber_calls, tree_shape

EXIT_PARTIAL, EXIT_AUTH, EXIT_INTERRUPT = 1, 3, 130


def crawl(run_glmirror, fake, tmp_path, *args, env=None, code=0, name="tree.json"):
    out = tmp_path / name
    proc = run_glmirror(["-u", fake.url, "-p", "--print-format", "json", "--tree-out", out,
                         *args], env={"GITLAB_TOKEN": fake.token, **(env or {})})
    assert proc.returncode == code, proc.stderr
    return (tree_shape(json.loads(out.read_text())) if out.exists() else None, proc)


def test_tree_equals_truth_with_few_calls(fake_gitlab, run_glmirror, tmp_path):
    fake = fake_gitlab(generate="groups=3,subgroups=3,depth=3,projects=4,shared=0.1,"
                       "archived=0.1,user_projects=2")
    truth = fake.truth()
    shape, proc = crawl(run_glmirror, fake, tmp_path, "--api-concurrency", "4")
    assert shape == expected_shape(truth)
    stats = fake.stats()
    ours, theirs = stats["api_total"], gitlabber_calls(truth)
    print(f"API calls: glmirror {ours}, gitlabber's formula {theirs}")
    assert ours * 10 <= theirs
    assert stats["max_in_flight"] <= 4
    assert not any(r["route"] == "GET /groups/:id" for r in stats["requests"])
    assert all("per_page=100" in r["path"] for r in stats["requests"]
               if r["path"].split("?")[0] != "/api/v4/user")


def test_totals_omitted_still_complete(fake_gitlab, run_glmirror, tmp_path):
    # 2 groups of 260 projects each: no X-Total above 150 records, so the
    # crawl reads a window of 3 pages (the workers) ahead: pages 1..3 of
    # each listing once, and at most 2 empty pages past the end.
    fake = fake_gitlab(generate="groups=2,subgroups=1,depth=1,projects=130",
                       totals_limit=150)
    shape, _ = crawl(run_glmirror, fake, tmp_path, "--api-concurrency", "3")
    assert shape == expected_shape(fake.truth())
    projects = [r["path"] for r in fake.stats()["requests"] if "/projects" in r["path"]]
    assert len(projects) == len(set(projects)) == 2 * (3 + 2), projects


@pytest.mark.parametrize("args,want", [
    (["--group", "group-1"], dict(top=["group-1"])),
    (["--group", "group-0/sub-0-1"], dict(top=["group-0/sub-0-1"])),
    (["-g", "group-2"], dict(top=["group-2"])),
    (["-U"], dict(user=True)),
    (["-s"], dict(shared=True)),
    (["-a", "only"], dict(archived="only")),
    (["-a", "exclude"], dict(archived="exclude")),
])
def test_options_select_what_is_crawled(fake_gitlab, run_glmirror, tmp_path, args, want):
    fake = fake_gitlab(generate="groups=3,subgroups=2,depth=2,projects=3,shared=0.2,"
                       "archived=0.3,user_projects=3")
    shape, _ = crawl(run_glmirror, fake, tmp_path, *args)
    assert shape == expected_shape(fake.truth(), **want)
    assert shape  # something was found


@pytest.mark.parametrize("hook", ["GLMIRROR_TEST_API_DIE", "GLMIRROR_TEST_API_DIE_LOCKED"])
def test_killed_workers_change_nothing(fake_gitlab, run_glmirror, tmp_path, hook):
    fake = fake_gitlab(generate="groups=3,subgroups=2,depth=2,projects=40")
    shape, proc = crawl(run_glmirror, fake, tmp_path, "--api-concurrency", "3",
                        env={hook: "3"})
    assert shape == expected_shape(fake.truth())
    assert "goes back to the queue" in proc.stderr


def test_a_task_that_kills_three_workers_fails_alone(fake_gitlab, run_glmirror, tmp_path):
    fake = fake_gitlab(generate="groups=3,subgroups=1,depth=1,projects=2")
    shape, proc = crawl(run_glmirror, fake, tmp_path, "--api-concurrency", "2",
                        env={"GLMIRROR_TEST_API_DIE_PATH": "/groups/3/projects"},
                        code=EXIT_PARTIAL)
    assert "/groups/:id/projects (id 3, page 1) killed 3 API workers" in proc.stderr
    want = {t for t in expected_shape(fake.truth())
            if not (t[0] == "project" and t[2].startswith("group-1/"))}
    assert shape == want


def test_a_5xx_page_is_retried(fake_gitlab, run_glmirror, tmp_path):
    fake = fake_gitlab(generate="groups=2,subgroups=1,depth=1,projects=3")
    fake.control("override", path_regex=r"/groups/1/projects", status=502, times=2)
    shape, _ = crawl(run_glmirror, fake, tmp_path)
    assert shape == expected_shape(fake.truth())


def test_a_group_that_always_fails_is_named(fake_gitlab, run_glmirror, tmp_path):
    fake = fake_gitlab(generate="groups=2,subgroups=1,depth=1,projects=3")
    fake.control("override", path_regex=r"/groups/1/projects", status=500)
    shape, proc = crawl(run_glmirror, fake, tmp_path, "--api-retries", "1",
                        code=EXIT_PARTIAL)
    assert "/groups/1/projects" in proc.stderr and "after 2 tries" in proc.stderr
    want = {t for t in expected_shape(fake.truth())
            if not (t[0] == "project" and t[2].startswith("group-0/"))}
    assert shape == want


def test_fail_fast_stops_at_the_first_failure(fake_gitlab, run_glmirror, tmp_path):
    # 12 top groups, 2 workers, 300 ms a request: the failure comes long
    # before the other listings would be done, and nothing more is asked.
    fake = fake_gitlab(generate="groups=12,subgroups=1,depth=1,projects=1", latency=300)
    fake.control("override", path_regex=r"/groups/1/projects", status=500)
    shape, proc = crawl(run_glmirror, fake, tmp_path, "--api-retries", "0", "--fail-fast",
                        "--api-concurrency", "2", code=EXIT_PARTIAL)
    assert "fail-fast" in proc.stderr and "/groups/1/projects" in proc.stderr
    assert shape is None
    assert fake.stats()["api_total"] <= 2 + 4


def test_rejected_token_exits_3_at_once(fake_gitlab, run_glmirror, tmp_path):
    fake = fake_gitlab(generate="groups=2,subgroups=0,depth=0,projects=1")
    proc = run_glmirror(["-u", fake.url, "-p"], env={"GITLAB_TOKEN": "glpat-wrong-token-000"})
    assert proc.returncode == EXIT_AUTH, proc.stderr
    assert f"token rejected by {fake.url} (HTTP 401)" in proc.stderr
    assert "glpat-wrong" not in proc.stderr
    assert fake.stats()["api_total"] == 1


def test_token_rejected_in_the_middle_stops_the_crawl(fake_gitlab, run_glmirror, tmp_path):
    fake = fake_gitlab(generate="groups=3,subgroups=1,depth=1,projects=3")
    fake.control("override", path_regex=r"/projects", status=401,
                 body={"message": "401 Unauthorized"})
    _, proc = crawl(run_glmirror, fake, tmp_path, code=EXIT_AUTH)
    assert "token rejected" in proc.stderr


def test_wrong_url_exits_3_with_a_hint(fake_gitlab, run_glmirror):
    fake = fake_gitlab(generate="groups=1,subgroups=0,depth=0,projects=1")
    url = fake.url + "/some/page"
    proc = run_glmirror(["-u", url, "-p"], env={"GITLAB_TOKEN": fake.token})
    assert proc.returncode == EXIT_AUTH, proc.stderr
    assert f"{url} does not answer like a GitLab API" in proc.stderr
    assert "HTTP 404" in proc.stderr and "give the base URL" in proc.stderr


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return f.read().split()
    except FileNotFoundError:
        return []


def test_sigint_stops_a_slow_crawl(fake_gitlab, glmirror_bin, tmp_path):
    fake = fake_gitlab(generate="groups=6,subgroups=2,depth=1,projects=3", latency=400)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = clean_env({"GITLAB_TOKEN": fake.token, "TMPDIR": str(tmp)})
    proc = subprocess.Popen([glmirror_bin, "-u", fake.url, "-p", "--api-concurrency", "3"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    # Wait for the workers to be busy with the subtree listings (the second
    # round, which starts once the listing of every group is complete).
    fake_log = fake.log_path
    for _ in range(500):
        if proc.poll() is not None or (fake_log.exists() and
                                       "/descendant_groups" in fake_log.read_text()):
            break
        subprocess.run(["sleep", "0.02"])
    kids = _children(proc.pid)
    assert len(kids) == 3
    # The pool names each worker after its role and slot (pool.c).
    assert sorted(open(f"/proc/{k}/comm").read() for k in kids) == [
        f"glm-api-{i}\n" for i in range(3)]
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == EXIT_INTERRUPT, err
    for k in kids:
        assert not os.path.exists(f"/proc/{k}") or "Z" in open(f"/proc/{k}/stat").read().split()[2]
    assert list(tmp.iterdir()) == []


def test_rate_limit_is_kept(fake_gitlab, run_glmirror, tmp_path):
    # 20 requests per 2 s and a crawl of about 60 requests.
    fake = fake_gitlab(generate="groups=4,subgroups=3,depth=2,projects=1", rate_limit="20/2")
    shape, _ = crawl(run_glmirror, fake, tmp_path, "-s", "--api-concurrency", "4")
    assert shape == expected_shape(fake.truth(), shared=True)
    stats = fake.stats()
    assert stats["api_total"] >= 55
    windows = stats["api_total"] * stats["window_seconds"] / 2
    print(f"max per window {stats['max_window']}, 429s {stats['throttled']}")
    assert stats["max_window"] <= 20 + 10
    assert stats["throttled"] <= 4 * max(1, int(windows))
    assert stats["max_in_flight"] <= 4


SUBGROUP_ONLY = {"groups": [
    {"name": "Open", "projects": [{"name": "a"}]},
    {"name": "Hidden", "access_level": 0, "projects": [{"name": "secret"}],
     "subgroups": [{"name": "Invited", "access_level": 30, "projects": [{"name": "work"}],
                    "subgroups": [{"name": "Deeper", "projects": [{"name": "deep"}]}]}]},
]}


def test_a_membership_below_a_hidden_parent_is_crawled(fake_gitlab, run_glmirror, tmp_path):
    # gitlabber loses groups the user only belongs to below the top (issue 3).
    # GitLab lists the hidden parent too (GroupsFinder include_ancestors), but
    # not its project the user cannot see.
    fake = fake_gitlab(spec=SUBGROUP_ONLY)
    shape, _ = crawl(run_glmirror, fake, tmp_path)
    paths = {(t[2], t[3]) for t in shape}
    assert ("open/a", "open") in paths
    assert ("hidden/invited", "hidden") in paths
    assert ("hidden/invited/work", "hidden/invited") in paths
    assert ("hidden/invited/deeper/deep", "hidden/invited/deeper") in paths
    assert not any(p.startswith("hidden/secret") for p, _ in paths)


def test_group_search_finds_subgroups_too(fake_gitlab, run_glmirror, tmp_path):
    # -g matches subgroups as well (issue 3); each match brings its subtree.
    fake = fake_gitlab(generate="groups=3,subgroups=2,depth=2,projects=2")
    shape, _ = crawl(run_glmirror, fake, tmp_path, "-g", "sub-2-0")
    assert shape == expected_shape(fake.truth(), top=["group-2/sub-2-0"])


def test_a_per_endpoint_429_leaves_other_endpoints_running(fake_gitlab, run_glmirror,
                                                           tmp_path):
    """GET /groups/:id/projects limited on its own as GitLab.com limits it
    (Gitlab::ApplicationRateLimiter: no Retry-After, a window from the first
    request; here 5 per 3 s, and glmirror told that windows last 3 s, not a
    minute): its 429 closes only that endpoint.  The subgroup and shared
    listings are answered while it is closed, nobody pauses the whole crawl,
    the budget learned keeps further 429s rare, and the tree is complete."""
    fake = fake_gitlab(generate="groups=12,subgroups=3,depth=2,projects=2,shared=0.2",
                       route_rate_limit=["GET /groups/:id/projects=5/3"])
    shape, proc = crawl(run_glmirror, fake, tmp_path, "-s", "--api-concurrency", "4",
                        "--verbose", env={"GLMIRROR_TEST_ENDPOINT_WINDOW": "3"})
    assert shape == expected_shape(fake.truth(), shared=True)
    limited = "/groups/:id/projects"
    reqs = [r for r in fake.stats()["requests"] if r["api"]]
    refused = [r["answered"] for r in reqs if r["route"] == limited and r["status"] == 429]
    assert refused, "the endpoint's limit was never reached"
    def start(r):
        return r["answered"] - r["ms"] / 1000
    reopened = min(start(r) for r in reqs
                   if r["route"] == limited and r["status"] == 200 and start(r) > refused[0])
    others = [r for r in reqs if r["route"] != limited and refused[0] < start(r) < reopened]
    assert others, "nothing else was asked while the endpoint was closed"
    assert all(r["status"] == 200 for r in others)
    # the requests in flight with the first 429 may get one too; then it is paced
    assert len(refused) <= 4 + 1
    assert "from this endpoint's own limit" in proc.stderr
    assert "everybody waits" not in proc.stderr


def test_rate_limit_headers_alone_pace_the_crawl(fake_gitlab, run_glmirror, tmp_path):
    # The server's budget (40 per 4 s) is announced in RateLimit-* headers;
    # the crawl of about 50 requests slows down before running into a 429.
    fake = fake_gitlab(generate="groups=3,subgroups=3,depth=2,projects=1", rate_limit="40/4")
    shape, _ = crawl(run_glmirror, fake, tmp_path, "-s", "--api-concurrency", "4")
    assert shape == expected_shape(fake.truth(), shared=True)
    stats = fake.stats()
    assert stats["api_total"] >= 45
    assert stats["throttled"] == 0
