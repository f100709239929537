"""Every option of issue 6 against the fake GitLab: gitlabber's options and
environment variables with the same meaning, precedence option > environment >
default, and glmirror's own options."""
import json
import subprocess

import pytest

from fake import DEMO_SPEC

ALL_PROJECTS_BY_PATH = {
    "/acme/website", "/acme/old-intranet", "/acme/equipe-donnees/data-lake",
    "/acme/equipe-donnees/rapports", "/acme/equipe-donnees/ml-models/forecasting",
    "/acme/equipe-donnees/ml-models/brand-new", "/acme/platform/build-tools",
    "/acme/platform/deploy", "/partners/portal",
}


@pytest.fixture
def demo(fake_gitlab):
    return fake_gitlab(spec=DEMO_SPEC)


def walk(node):
    yield node
    for child in node.get("children", []):
        yield from walk(child)


def printed(run_glmirror, fake, *args, env=None):
    """The projects (root_path -> node) of `-p --print-format json`."""
    full_env = {"GITLAB_URL": fake.url, "GITLAB_TOKEN": fake.token, **(env or {})}
    proc = run_glmirror(["-p", "--print-format", "json", *args], env=full_env)
    assert proc.returncode == 0, proc.stderr
    tree = json.loads(proc.stdout)
    return {n["root_path"]: n for n in walk(tree) if n["type"] == "project"}


def test_url_and_token_from_the_environment(run_glmirror, demo):
    assert set(printed(run_glmirror, demo, "-n", "path")) == ALL_PROJECTS_BY_PATH


def test_url_option_beats_the_environment(run_glmirror, demo):
    got = printed(run_glmirror, demo, "-u", demo.url, "-n", "path",
                  env={"GITLAB_URL": "http://127.0.0.1:9"})
    assert set(got) == ALL_PROJECTS_BY_PATH


def test_token_option_beats_the_environment(run_glmirror, demo):
    env = {"GITLAB_URL": demo.url, "GITLAB_TOKEN": "glpat-wrong-token-000000"}
    proc = run_glmirror(["-p", "-t", demo.token], env=env)
    assert proc.returncode == 0, proc.stderr
    proc = run_glmirror(["-p", "-t", "glpat-wrong-token-000000"],
                        env={**env, "GITLAB_TOKEN": demo.token})
    assert proc.returncode == 3, proc.stderr
    assert "token" in proc.stderr and "glpat-wrong-token-000000" not in proc.stderr


def test_token_file_and_its_variable(run_glmirror, demo, tmp_path):
    tf = tmp_path / "token"
    tf.write_text(demo.token + "\n")
    tf.chmod(0o600)
    for args, env in ((["--token-file", tf], {}), ([], {"GITLAB_TOKEN_FILE": str(tf)})):
        proc = run_glmirror(["-p", "-u", demo.url, *args], env=env)
        assert proc.returncode == 0, proc.stderr
        assert "Acme Corp" in proc.stdout


def test_print_formats(run_glmirror, demo):
    env = {"GITLAB_URL": demo.url, "GITLAB_TOKEN": demo.token}
    tree = run_glmirror(["-p"], env=env)
    assert tree.returncode == 0, tree.stderr
    lines = tree.stdout.splitlines()
    assert lines[0] == f"root [{demo.url}]"
    assert any(line.startswith(("├── Acme Corp [/Acme Corp]", "└── Acme Corp [/Acme Corp]"))
               for line in lines), tree.stdout
    assert any("Lac de données [/Acme Corp/Équipe Données/Lac de données]" in line
               for line in lines)
    yaml = run_glmirror(["-p", "--print-format", "yaml"], env=env)
    assert yaml.returncode == 0, yaml.stderr
    assert "root_path: /Acme Corp/Platform Team/Deploy Scripts" in yaml.stdout
    assert "type: project" in yaml.stdout
    assert demo.token not in tree.stdout + yaml.stdout


@pytest.mark.parametrize("args, env, expect", [
    ([], {}, "name"),
    ([], {"GITLABBER_FOLDER_NAMING": "path"}, "path"),
    (["-n", "name"], {"GITLABBER_FOLDER_NAMING": "path"}, "name"),
    (["--naming", "path"], {}, "path"),
])
def test_naming_and_its_variable(run_glmirror, demo, args, env, expect):
    got = printed(run_glmirror, demo, *args, env=env)
    want = ("/Acme Corp/Platform Team/Deploy Scripts" if expect == "name"
            else "/acme/platform/deploy")
    assert want in got, sorted(got)


@pytest.mark.parametrize("args, env, expect", [
    ([], {}, "ssh"),
    ([], {"GITLABBER_CLONE_METHOD": "http"}, "http"),
    (["-m", "ssh"], {"GITLABBER_CLONE_METHOD": "http"}, "ssh"),
    (["--method", "http"], {}, "http"),
])
def test_method_and_its_variable(run_glmirror, demo, args, env, expect):
    got = printed(run_glmirror, demo, "-n", "path", *args, env=env)
    url = got["/acme/website"]["url"]
    if expect == "http":
        assert url == demo.url + "/acme/website.git"
    else:
        assert url.endswith(":acme/website.git") and not url.startswith("http")


@pytest.mark.parametrize("mode, expect", [
    ("include", ALL_PROJECTS_BY_PATH),
    ("exclude", ALL_PROJECTS_BY_PATH - {"/acme/old-intranet"}),
    ("only", {"/acme/old-intranet"}),
])
def test_archived(run_glmirror, demo, mode, expect):
    assert set(printed(run_glmirror, demo, "-n", "path", "-a", mode)) == expect


@pytest.mark.parametrize("args, env, expect", [
    (["-i", "/acme/platform/**"], {}, {"/acme/platform/build-tools", "/acme/platform/deploy"}),
    ([], {"GITLABBER_INCLUDE": "/partners/**"}, {"/partners/portal"}),
    (["-i", "/partners/**"], {"GITLABBER_INCLUDE": "/acme/**"}, {"/partners/portal"}),
    (["-x", "/acme/**"], {}, {"/partners/portal"}),
    ([], {"GITLABBER_EXCLUDE": "/acme/**,/partners/portal"}, set()),
    (["-i", "/acme/**", "-x", "**/ml-models/**"], {},
     ALL_PROJECTS_BY_PATH - {"/partners/portal", "/acme/equipe-donnees/ml-models/forecasting",
                             "/acme/equipe-donnees/ml-models/brand-new"}),
])
def test_include_exclude_and_their_variables(run_glmirror, demo, args, env, expect):
    assert set(printed(run_glmirror, demo, "-n", "path", *args, env=env)) == expect


def test_bad_pattern_fails_before_any_api_call(run_glmirror, demo):
    demo.reset_stats()
    proc = run_glmirror(["-p", "-i", "/acme/[oops"],
                        env={"GITLAB_URL": demo.url, "GITLAB_TOKEN": demo.token})
    assert proc.returncode == 2, proc.stderr
    assert "[oops" in proc.stderr
    assert demo.stats()["total"] == 0


def test_shared_projects_are_opt_in(run_glmirror, demo):
    without = printed(run_glmirror, demo, "-n", "path")
    assert "/partners/build-tools" not in without
    shared = printed(run_glmirror, demo, "-n", "path", "-s")
    assert "/partners/build-tools" in shared
    assert printed(run_glmirror, demo, "-n", "path", "-s", "--exclude-shared") == without


def test_group_search(run_glmirror, demo):
    assert set(printed(run_glmirror, demo, "-n", "path", "-g", "partn")) == {"/partners/portal"}


def test_user_projects(run_glmirror, demo):
    got = printed(run_glmirror, demo, "-n", "path", "-U")
    assert [p.rsplit("/", 1)[1] for p in got] == ["dotfiles"], sorted(got)


@pytest.mark.parametrize("group", ["acme/platform", "PLATFORM_ID"])
def test_group_option_by_path_and_id(run_glmirror, demo, group):
    if group == "PLATFORM_ID":
        group = str(next(g["id"] for g in demo.truth()["groups"]
                         if g["full_path"] == "acme/platform"))
    got = printed(run_glmirror, demo, "-n", "path", "--group", group, "--group", "partners")
    assert {p.rsplit("/", 1)[1] for p in got} == {"build-tools", "deploy", "portal"}


def test_api_concurrency_and_its_variable_bound_requests_in_flight(run_glmirror, fake_gitlab):
    fake = fake_gitlab(generate="groups=4,subgroups=3,depth=2,projects=5", latency=30)
    for args, env, bound in ((["--api-concurrency", "2"], {"GITLABBER_API_CONCURRENCY": "8"}, 2),
                             ([], {"GITLABBER_API_CONCURRENCY": "3"}, 3)):
        fake.reset_stats()
        printed(run_glmirror, fake, *args, env=env)
        assert fake.stats()["max_in_flight"] <= bound


@pytest.mark.parametrize("var", ["GITLABBER_GIT_CONCURRENCY", "GITLABBER_API_CONCURRENCY"])
def test_concurrency_variables_are_read_and_the_option_wins(run_glmirror, demo, var, tmp_path):
    env = {"GITLAB_URL": demo.url, "GITLAB_TOKEN": demo.token, var: "0"}
    proc = run_glmirror(["-p"], env=env)
    assert proc.returncode == 2 and var in proc.stderr, proc.stderr
    opt = "-c" if var == "GITLABBER_GIT_CONCURRENCY" else "--api-concurrency"
    proc = run_glmirror(["-p", opt, "2"], env=env)
    assert proc.returncode == 0, proc.stderr


def test_tree_out_then_file_needs_no_gitlab(run_glmirror, demo, tmp_path):
    tree = tmp_path / "tree.json"
    env = {"GITLAB_URL": demo.url, "GITLAB_TOKEN": demo.token}
    proc = run_glmirror(["-p", "--tree-out", tree], env=env)
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout
    demo.reset_stats()
    proc = run_glmirror(["-f", tree, "-p"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == first
    assert demo.stats()["total"] == 0


def test_verbose_logs_requests_without_the_token(run_glmirror, demo):
    proc = run_glmirror(["-p", "--verbose", "-t", demo.token, "-u", demo.url])
    assert proc.returncode == 0, proc.stderr
    assert "/groups" in proc.stderr and "200" in proc.stderr
    assert demo.token not in proc.stderr + proc.stdout


def test_quiet_prints_nothing_but_the_tree(run_glmirror, demo):
    proc = run_glmirror(["-p", "-q", "-u", demo.url], env={"GITLAB_TOKEN": demo.token})
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def test_hide_token_is_accepted(run_glmirror, demo):
    proc = run_glmirror(["-p", "-T"], env={"GITLAB_URL": demo.url, "GITLAB_TOKEN": demo.token})
    assert proc.returncode == 0, proc.stderr


def test_fail_fast_stops_at_the_first_failure(run_glmirror, fake_gitlab):
    fake = fake_gitlab(generate="groups=6,subgroups=2,depth=1,projects=3")
    fake.control("override", path_regex=r"/groups/1/projects", status=500,
                 body={"message": "500 Internal Server Error"})
    env = {"GITLAB_URL": fake.url, "GITLAB_TOKEN": fake.token}
    partial = run_glmirror(["-p", "--api-retries", "0"], env=env)
    assert partial.returncode == 1, partial.stderr
    assert partial.stdout.count("[/") > 3
    fast = run_glmirror(["-p", "--api-retries", "0", "--fail-fast"], env=env)
    assert fast.returncode == 1, fast.stderr
    assert fast.stdout == ""


def test_insecure_warns(run_glmirror, demo):
    proc = run_glmirror(["-p", "--insecure"], env={"GITLAB_URL": demo.url,
                                                   "GITLAB_TOKEN": demo.token})
    assert proc.returncode == 0, proc.stderr
    assert "warning" in proc.stderr and "insecure" in proc.stderr.lower()


def test_cacert_that_does_not_exist_is_a_usage_error(run_glmirror, demo, tmp_path):
    proc = run_glmirror(["-p", "--cacert", tmp_path / "none.pem"],
                        env={"GITLAB_URL": demo.url, "GITLAB_TOKEN": demo.token})
    assert proc.returncode == 2, proc.stderr
    assert "none.pem" in proc.stderr


def test_api_timeout_and_retries(run_glmirror, demo):
    demo.control("override", path_regex=r"/groups/[^/?]+/projects", times=2, status=502,
                 body="<html>502 Bad Gateway</html>")
    env = {"GITLAB_URL": demo.url, "GITLAB_TOKEN": demo.token}
    proc = run_glmirror(["-p", "--api-retries", "3", "--api-timeout", "5"], env=env)
    assert proc.returncode == 0, proc.stderr
    demo.control("override", path_regex=r"/groups/[^/?]+/projects", status=502,
                 body="<html>502 Bad Gateway</html>")
    proc = run_glmirror(["-p", "--api-retries", "1"], env=env)
    assert proc.returncode == 1, proc.stderr
    assert "502" in proc.stderr and "2 tries" in proc.stderr


def test_wrong_url_is_one_line_and_exit_3(run_glmirror, demo):
    for url in (demo.url + "/acme", "http://127.0.0.1:9"):
        proc = run_glmirror(["-p", "-u", url], env={"GITLAB_TOKEN": demo.token})
        assert proc.returncode == 3, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_gitlabber_command_line_unchanged(run_glmirror, demo, tmp_path):
    """The command line from gitlabber's README, word for word but the URL."""
    dest = tmp_path / "mirror"
    proc = run_glmirror(["-t", demo.token, "-u", demo.url, "-m", "http", "-c", "4", "-i",
                         "/Acme Corp/**", "-x", "**/Old Intranet", str(dest)])
    assert proc.returncode == 0, proc.stderr
    assert (dest / "Acme Corp" / "Website" / ".git").is_dir()
    assert not (dest / "Acme Corp" / "Old Intranet").exists()
    assert not (dest / "Partners").exists()
    config = subprocess.run(["git", "-C", dest / "Acme Corp" / "Website", "config", "--list"],
                            capture_output=True, text=True).stdout
    assert demo.token not in config


def test_unsupported_git_option_fails_before_any_api_call(run_glmirror, demo, tmp_path):
    demo.reset_stats()
    proc = run_glmirror(["-o", "--bogus", str(tmp_path / "m")],
                        env={"GITLAB_URL": demo.url, "GITLAB_TOKEN": demo.token})
    assert proc.returncode == 2, proc.stderr
    assert "--bogus" in proc.stderr
    assert demo.stats()["total"] == 0
    assert not (tmp_path / "m").exists()


def test_literal_include_prefix_limits_the_crawl(run_glmirror, demo):
    acme = next(g["id"] for g in demo.truth()["groups"] if g["full_path"] == "acme")
    demo.reset_stats()
    got = printed(run_glmirror, demo, "-n", "path", "-i", "/partners/**")
    assert set(got) == {"/partners/portal"}
    paths = [r["path"] for r in demo.stats()["requests"]]
    assert not any(f"/groups/{acme}/" in p for p in paths), paths


def test_dry_run_touches_nothing_not_even_dest(run_glmirror, demo, tmp_path):
    dest = tmp_path / "not-yet"
    proc = run_glmirror(["--dry-run", "-m", "http", str(dest)],
                        env={"GITLAB_URL": demo.url, "GITLAB_TOKEN": demo.token})
    assert proc.returncode == 0, proc.stderr
    assert "clone" in proc.stdout and "Website" in proc.stdout
    assert not dest.exists()


def test_ssh_key_that_does_not_exist_is_a_usage_error(run_glmirror, demo, tmp_path):
    proc = run_glmirror(["--ssh-key", tmp_path / "id_none", str(tmp_path / "m")],
                        env={"GITLAB_URL": demo.url, "GITLAB_TOKEN": demo.token})
    assert proc.returncode == 2, proc.stderr
    assert "id_none" in proc.stderr


def test_api_rate_limit_paces_every_worker(run_glmirror, demo):
    # 2 requests a second, burst 2: no second of the fake's clock sees more than 4.
    demo.reset_stats()
    got = printed(run_glmirror, demo, "-n", "path", "--api-rate-limit", "2/s",
                  "--api-concurrency", "4")
    assert set(got) == ALL_PROJECTS_BY_PATH
    stats = demo.stats()
    assert stats["api_total"] >= 6
    assert stats["window_seconds"] == 1.0 and stats["max_window"] <= 4, stats["max_window"]


def test_gitlabber_api_rate_limit_variable_paces_the_crawl(run_glmirror, demo):
    # gitlabber's unit is requests per hour: 7200/h is 2/s, burst 2, as above.
    demo.reset_stats()
    got = printed(run_glmirror, demo, "-n", "path", "--api-concurrency", "4",
                  env={"GITLABBER_API_RATE_LIMIT": "7200"})
    assert set(got) == ALL_PROJECTS_BY_PATH
    stats = demo.stats()
    assert stats["api_total"] >= 6
    assert stats["window_seconds"] == 1.0 and stats["max_window"] <= 4, stats["max_window"]


def test_max_response_size(run_glmirror, demo):
    env = {"GITLAB_URL": demo.url, "GITLAB_TOKEN": demo.token}
    proc = run_glmirror(["-p", "--max-response-size", "2000"], env=env)
    assert proc.returncode == 1, proc.stderr
    assert "2000" in proc.stderr or "too large" in proc.stderr
