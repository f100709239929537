"""What operators run around the binary: the --metrics file (Prometheus
text format) after a good, a failed and an interrupted run, the JSON log
lines, the systemd units."""
import json
import math
import pathlib
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import clean_env
from synctree import tree_from_truth, write_tree

SPEC = {
    "groups": [
        {"name": "Data", "path": "data", "projects": [
            {"name": "zoo", "path": "zoo", "commits": 3, "branches": ["dev"]},
            {"name": "empty", "path": "empty", "empty": True},
        ], "subgroups": [
            {"name": "Deep", "path": "deep", "projects": [{"name": "tool", "path": "tool"}]},
        ]},
        {"name": "Ops", "path": "ops", "projects": [{"name": "infra", "path": "infra"}]},
    ],
}

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
SAMPLE = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"'
                    r'(?:,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")*\})? (\S+)$')


def parse_metrics(text):
    """Parses the text exposition format strictly, with the rules promtool's
    `check metrics` applies to names; returns {(name, labels): value}."""
    assert text.endswith("\n")
    families, samples, current = {}, {}, None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("# HELP "):
            name, help_text = line[7:].split(" ", 1)
            assert NAME.match(name) and name not in families and help_text
            assert lines[i + 1].startswith(f"# TYPE {name} ")
            current = name
            continue
        if line.startswith("# TYPE "):
            name, kind = line[7:].split(" ")
            assert name == current and kind in ("counter", "gauge")
            families[name] = kind
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample: {line!r}"
        name, labels, value = m.groups()
        assert name == current, f"{name} outside its family"
        assert (name, labels) not in samples
        samples[(name, labels or "")] = float(value)
    for name, kind in families.items():
        assert name.startswith("glmirror_")
        assert name.endswith("_total") == (kind == "counter"), name
        assert any(n == name for n, _ in samples), f"{name} has no sample"
    assert all(not math.isnan(v) for v in samples.values())
    return samples


def projects(metrics, result):
    return metrics[("glmirror_projects_total", f'{{result="{result}"}}')]


def api_requests(metrics):
    return {c: metrics[("glmirror_api_requests_total", f'{{class="{c}"}}')]
            for c in ("2xx", "3xx", "4xx", "5xx", "error")}


def status_class(status):
    return "error" if status == 0 else f"{status // 100}xx"


def run(run_glmirror, fake, *args, token=None):
    return run_glmirror(["-u", fake.url, "-m", "http", *args],
                        env={"GITLAB_TOKEN": token or fake.token})


def test_metrics_match_the_report_of_the_same_run(fake_gitlab, run_glmirror, tmp_path):
    fake = fake_gitlab(spec=SPEC)
    metrics_file, report = tmp_path / "glmirror.prom", tmp_path / "report.json"
    dest = tmp_path / "dest"
    before = time.time()
    proc = run(run_glmirror, fake, "--metrics", metrics_file, "--report", report, dest)
    after = time.time()
    assert proc.returncode == 0, proc.stderr
    m = parse_metrics(metrics_file.read_text())
    records = [json.loads(line) for line in report.read_text().splitlines()]
    for result in ("cloned", "updated", "unchanged", "skipped", "failed"):
        assert projects(m, result) == sum(r["result"] == result for r in records), result
    assert projects(m, "cloned") == 4
    assert m[("glmirror_received_bytes_total", "")] == sum(r["bytes"] for r in records) > 0
    assert m[("glmirror_tree_projects", "")] == len(records) == 4
    assert m[("glmirror_tree_groups", "")] == 3
    assert api_requests(m) == {"2xx": fake.stats()["api_total"], "3xx": 0, "4xx": 0,
                               "5xx": 0, "error": 0}
    assert m[("glmirror_api_throttled_total", "")] == 0
    assert m[("glmirror_api_retries_total", "")] == 0
    assert m[("glmirror_sync_retries_total", "")] == 0
    assert m[("glmirror_run_exit_code", "")] == 0
    start, end = m[("glmirror_run_start_timestamp_seconds", "")], m[(
        "glmirror_run_end_timestamp_seconds", "")]
    assert before - 1 <= start <= end <= after + 1
    assert m[("glmirror_last_success_timestamp_seconds", "")] == end
    assert m[("glmirror_run_duration_seconds", "")] == pytest.approx(end - start)
    assert [p.name for p in tmp_path.iterdir() if ".tmp" in p.name] == []

    # A second run: everything unchanged, by the report and by the metrics.
    proc = run(run_glmirror, fake, "--metrics", metrics_file, "--report", report, dest)
    assert proc.returncode == 0, proc.stderr
    m = parse_metrics(metrics_file.read_text())
    assert projects(m, "unchanged") == 4 and projects(m, "cloned") == 0
    assert m[("glmirror_received_bytes_total", "")] == 0


FAULTY = {"groups": [
    {"name": "Data", "path": "data", "projects": [
        {"name": "zoo", "path": "zoo", "lfs": {"big.bin": 4000}},
        {"name": "tool", "path": "tool"},
    ], "subgroups": [{"name": "Deep", "path": "deep", "projects": [{"name": "x", "path": "x"}]}]},
]}


def test_metrics_count_status_classes_retries_and_waits_as_the_fake_saw_them(
        fake_gitlab, run_glmirror, tmp_path):
    fake = fake_gitlab(spec=FAULTY)
    ov = fake.control
    ov("override", path_regex=r"^/api/v4/groups/\d+/projects", status=503, times=2)
    ov("override", path_regex=r"^/api/v4/groups/\d+/descendant_groups", status=429,
       headers={"Retry-After": "1"}, times=1)
    # On the first request, so on a new connection: libcurl itself sends a request
    # again, unseen, when a kept-alive connection turns out to be closed.
    ov("override", path_regex=r"^/api/v4/user$", fault="reset", times=1)
    ov("override", path_regex=r"^/data/tool\.git/info/refs", status=502, times=2)
    ov("override", path_regex=r"^/data/deep/x\.git/info/refs", status=429,
       headers={"Retry-After": "1"}, times=1)
    ov("override", path_regex="/gitlab-lfs/objects/", status=503, body="busy", times=1)
    metrics_file = tmp_path / "glmirror.prom"
    proc = run(run_glmirror, fake, "--metrics", metrics_file, tmp_path / "dest")
    assert proc.returncode == 0, proc.stderr
    m = parse_metrics(metrics_file.read_text())
    requests = fake.stats()["requests"]
    api = [r["status"] for r in requests if r["api"]]
    other = [r["status"] for r in requests if not r["api"]]
    assert api_requests(m) == {c: sum(status_class(s) == c for s in api)
                               for c in ("2xx", "3xx", "4xx", "5xx", "error")}
    assert api.count(503) == 2 and api.count(429) == 1 and api.count(0) == 1
    assert m[("glmirror_api_throttled_total", "")] == 1
    # Every request that failed was sent again, and then succeeded (the run exited 0).
    assert m[("glmirror_api_retries_total", "")] == 4
    assert other.count(502) == 2 and other.count(429) == 1 and other.count(503) == 1
    assert m[("glmirror_sync_retries_total", "")] == 4
    # Retry-After paused every worker: the time they waited for it is counted.
    assert m[("glmirror_ratelimit_wait_seconds_total", "")] > 0
    assert projects(m, "cloned") == 3


def test_metrics_count_the_wait_the_servers_ratelimit_headers_force(fake_gitlab, run_glmirror,
                                                                    tmp_path):
    fake = fake_gitlab(spec=SPEC, rate_limit="2/2")
    metrics_file = tmp_path / "glmirror.prom"
    proc = run(run_glmirror, fake, "--metrics", metrics_file, "-p", "--tree-out",
               tmp_path / "tree.json")
    assert proc.returncode == 0, proc.stderr
    m = parse_metrics(metrics_file.read_text())
    api = [r["status"] for r in fake.stats()["requests"] if r["api"]]
    assert len(api) > 4  # more than two windows' budget: the headers made the crawl wait
    assert m[("glmirror_ratelimit_wait_seconds_total", "")] > 0
    assert m[("glmirror_api_throttled_total", "")] == api.count(429)
    assert m[("glmirror_api_retries_total", "")] == api.count(429)
    assert sum(api_requests(m).values()) == len(api)


def test_a_failed_run_writes_metrics_and_keeps_the_last_success(fake_gitlab, run_glmirror,
                                                                 tmp_path):
    fake = fake_gitlab(spec=SPEC)
    metrics_file = tmp_path / "glmirror.prom"
    proc = run(run_glmirror, fake, "--metrics", metrics_file, tmp_path / "dest")
    assert proc.returncode == 0, proc.stderr
    success = parse_metrics(metrics_file.read_text())[
        ("glmirror_run_end_timestamp_seconds", "")]

    proc = run(run_glmirror, fake, "--metrics", metrics_file, tmp_path / "dest",
               token="glpat-wrongwrongwrong")
    assert proc.returncode == 3, proc.stderr
    m = parse_metrics(metrics_file.read_text())
    assert m[("glmirror_run_exit_code", "")] == 3
    assert m[("glmirror_last_success_timestamp_seconds", "")] == success
    assert m[("glmirror_run_end_timestamp_seconds", "")] >= success
    assert ("glmirror_projects_total", '{result="cloned"}') not in m  # no sync ran
    assert m[("glmirror_tree_projects", "")] == 0


def test_a_first_run_that_fails_has_no_last_success(fake_gitlab, run_glmirror, tmp_path):
    fake = fake_gitlab(spec=SPEC)
    metrics_file = tmp_path / "glmirror.prom"
    proc = run(run_glmirror, fake, "--metrics", metrics_file, tmp_path / "dest",
               token="glpat-wrongwrongwrong")
    assert proc.returncode == 3, proc.stderr
    m = parse_metrics(metrics_file.read_text())
    assert m[("glmirror_run_exit_code", "")] == 3
    assert ("glmirror_last_success_timestamp_seconds", "") not in m


def test_sigint_writes_metrics(fake_gitlab, glmirror_bin, tmp_path):
    fake = fake_gitlab(spec=SPEC)
    tree_file = write_tree(tmp_path, tree_from_truth(fake.truth(), fake.url))
    metrics_file, dest = tmp_path / "glmirror.prom", tmp_path / "dest"
    proc = subprocess.Popen([glmirror_bin, "-f", str(tree_file), "-m", "http", "-c", "1",
                             "--metrics", str(metrics_file), str(dest)],
                            env=clean_env({"GITLAB_TOKEN": fake.token}),
                            stderr=subprocess.PIPE, start_new_session=True)
    for _ in range(2000):  # until the first clone is under way
        if list(pathlib.Path(dest).rglob(".glmirror-tmp-*")) or proc.poll() is not None:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.fail("the run ended before SIGINT could interrupt it")
    assert proc.returncode == 130, err
    m = parse_metrics(metrics_file.read_text())
    assert m[("glmirror_run_exit_code", "")] == 130
    assert projects(m, "cloned") < 4
    assert ("glmirror_last_success_timestamp_seconds", "") not in m


def json_lines(stderr):
    lines = stderr.splitlines()
    assert lines
    records = [json.loads(line) for line in lines]  # every line parses
    for r in records:
        assert set(r) == {"time", "level", "event", "role", "pid", "project", "message"}, r
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r["time"])
        assert r["level"] in ("error", "warning", "info", "verbose", "debug")
    return records


def test_log_format_json_every_line_parses_and_no_token(fake_gitlab, run_glmirror, tmp_path):
    spec = json.loads(json.dumps(SPEC))
    spec["groups"][1]["projects"].append({"name": "Été 日本", "path": "ete"})
    fake = fake_gitlab(spec=spec)
    # The token on the command line: the warning about it is a JSON line too.
    proc = run_glmirror(["-u", fake.url, "-m", "http", "-t", fake.token, "--verbose",
                         "--log-format", "json", "--progress", "always", tmp_path / "dest"])
    assert proc.returncode == 0, proc.stderr
    assert fake.token not in proc.stderr
    records = json_lines(proc.stderr)
    assert any(r["level"] == "warning" and "--token" in r["message"] for r in records)
    projects = {r["project"] for r in records if r["role"].startswith("sync")}
    assert {"data/zoo", "ops/ete", "ops/infra"} <= projects
    assert any("Été 日本" in r["message"] for r in records)
    assert any(r["role"] == "supervisor" and r["project"] is None for r in records)


def test_log_format_json_on_failure_redacts_the_token(fake_gitlab, run_glmirror, tmp_path):
    fake = fake_gitlab(spec=SPEC)
    bad = "glpat-notthetokenxyz"
    proc = run_glmirror(["-u", f"{fake.url}/{bad}", "-t", bad, "--log-format", "json",
                         tmp_path / "dest"])
    assert proc.returncode != 0
    assert bad not in proc.stderr
    assert any(r["level"] == "error" and "[REDACTED]" in r["message"]
               for r in json_lines(proc.stderr))


def test_log_format_text_stays_the_default(fake_gitlab, run_glmirror, tmp_path):
    fake = fake_gitlab(spec=SPEC)
    proc = run(run_glmirror, fake, tmp_path / "dest")
    assert proc.returncode == 0, proc.stderr
    assert all(line.startswith("glmirror") for line in proc.stderr.splitlines())


UNITS = pathlib.Path(__file__).resolve().parents[2] / "contrib" / "systemd"


def unit_settings(name):
    return [tuple(line.split("=", 1)) for line in (UNITS / name).read_text().splitlines()
            if "=" in line and not line.startswith("#")]


def test_systemd_service_is_hardened_and_takes_the_token_as_a_credential():
    settings = unit_settings("glmirror.service")
    values = dict(settings)
    assert values["ProtectSystem"] == "strict"
    assert [v for k, v in settings if k == "ReadWritePaths"] == ["/srv/mirror"]
    assert values["ExecStart"].endswith(" /srv/mirror")  # DEST is the writable path
    for key in ("NoNewPrivileges", "PrivateTmp", "ProtectHome"):
        assert values[key] == "yes", key
    assert values["LoadCredential"] == "gitlab-token:/etc/glmirror/token"
    assert "--token-file ${CREDENTIALS_DIRECTORY}/gitlab-token" in values["ExecStart"]
    assert " -t " not in values["ExecStart"] and "--token " not in values["ExecStart"]
    assert "StandardOutput" not in values and "StandardError" not in values  # the journal
    assert dict(unit_settings("glmirror.timer"))["Persistent"] == "true"


def test_systemd_units_pass_systemd_analyze_verify(glmirror_bin, tmp_path):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed (Debian package systemd)")
    # verify wants ExecStart's binary to exist: point it at the one under test.
    service = (UNITS / "glmirror.service").read_text().replace("/usr/bin/glmirror",
                                                                glmirror_bin)
    (tmp_path / "glmirror.service").write_text(service)
    shutil.copy(UNITS / "glmirror.timer", tmp_path / "glmirror.timer")
    # --man=no: the man page is not installed where the tests run.  verify
    # exits 0 on unknown keys and bad values, so its output must be empty.
    proc = subprocess.run([tool, "verify", "--man=no", str(tmp_path / "glmirror.service"),
                           str(tmp_path / "glmirror.timer")], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0 and proc.stdout + proc.stderr == "", proc.stderr


def test_the_image_has_the_runtime_library_of_every_library_the_binary_needs(glmirror_bin):
    # make check needs no container engine: this checks without one that the
    # image's package list covers the binary.
    dockerfile = (UNITS.parents[1] / "Dockerfile").read_text()
    runtime = dockerfile.split("FROM debian:12-slim", 1)[1]
    packages = set(re.findall(r"\b(lib[a-z0-9.+-]+|ca-certificates)\b",
                              runtime.split("rm -rf", 1)[0]))
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+)\]",
                        subprocess.run(["readelf", "-d", glmirror_bin], capture_output=True,
                                       text=True, check=True).stdout)
    # a sanitizer build (make asan) also links the sanitizers' runtimes, and
    # links directly what the image's libraries bring as their dependencies
    needed = [lib for lib in needed if not re.match(r"lib(a|ub|t|l)san\.", lib)]
    assert needed
    for pkg in sorted(packages):
        depends = subprocess.run(["dpkg-query", "-W", "-f", "${Depends}", pkg],
                                 capture_output=True, text=True).stdout
        packages = packages | set(re.findall(r"(?:^|, |\| )([a-z0-9][a-z0-9.+-]+)", depends))
    for lib in needed:
        owners = subprocess.run(["dpkg", "-S", f"*/{lib}"], capture_output=True,
                                text=True).stdout
        pkgs = {line.split(":", 1)[0] for line in owners.splitlines()}
        assert pkgs & (packages | {"libc6"}), f"{lib} ({pkgs}) is not in the image"
    assert "USER 10001" in runtime



# tools/base-image's two tools, standing in for debootstrap (which would need
# Debian's archive) and the container engine: the root debootstrap makes holds
# what the script changes; the engine's import unpacks the image into a folder.
STUB_DEBOOTSTRAP = r"""#!/bin/sh
echo "$@" >"$STUB_OUT/debootstrap.args"
root=$3
mkdir -p "$root/etc/apt/sources.list.d" "$root/etc/dpkg/dpkg.cfg.d" \
    "$root/usr/share/doc/bash" "$root/usr/share/man/man1" "$root/usr/share/locale/fr" \
    "$root/var/lib/apt/lists" "$root/usr/bin"
echo "deb $4 bookworm main" >"$root/etc/apt/sources.list"
for f in usr/share/doc/bash/copyright usr/share/doc/bash/README usr/share/man/man1/bash.1 \
    usr/share/locale/locale.alias usr/share/locale/fr/bash.mo usr/bin/bash \
    var/lib/apt/lists/deb.debian.org_Packages; do
    echo x >"$root/$f"
done
"""
STUB_ENGINE = r"""#!/bin/sh
[ "$1" = import ] || exit 9
eval "name=\${$#}"
mkdir -p "$STUB_OUT/$name" && tar -x -C "$STUB_OUT/$name"
"""


def test_base_image_makes_debian_and_slim_from_the_package_archive(tmp_path):
    stubs, out = tmp_path / "bin", tmp_path / "out"
    stubs.mkdir()
    out.mkdir()
    for name, text in (("debootstrap", STUB_DEBOOTSTRAP), ("podman", STUB_ENGINE)):
        (stubs / name).write_text(text)
        (stubs / name).chmod(0o755)
    work = tmp_path / "tmp"
    work.mkdir()
    env = clean_env({"PATH": f"{stubs}:/usr/bin:/bin", "STUB_OUT": str(out),
                     "DEBIAN_MIRROR": "http://127.0.0.1:9/debian", "TMPDIR": str(work)})
    proc = subprocess.run([str(UNITS.parents[1] / "tools" / "base-image"), "podman",
                           "debian:12", "debian:12-slim"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    args = (out / "debootstrap.args").read_text().split()
    assert args[:2] == ["--variant=minbase", "bookworm"] and args[3] == env["DEBIAN_MIRROR"]
    assert list(work.iterdir()) == []  # the root it worked in is gone
    full, slim = out / "docker.io/library/debian:12", out / "docker.io/library/debian:12-slim"
    for image in (full, slim):
        # the sources of Debian's own images, not the archive it was made from
        assert not (image / "etc/apt/sources.list").exists()
        sources = (image / "etc/apt/sources.list.d/debian.sources").read_text()
        assert "bookworm-security" in sources and "127.0.0.1" not in sources
        assert list((image / "var/lib/apt/lists").iterdir()) == []
        assert (image / "usr/bin/bash").exists()
        assert (image / "usr/share/doc/bash/copyright").exists()
        assert (image / "usr/share/locale/locale.alias").exists()
    assert (full / "usr/share/doc/bash/README").exists()
    assert (full / "usr/share/man/man1/bash.1").exists()
    assert not (full / "etc/dpkg/dpkg.cfg.d/slim").exists()
    assert not (slim / "usr/share/doc/bash/README").exists()
    assert not (slim / "usr/share/man/man1").exists()
    assert not (slim / "usr/share/locale/fr").exists()
    assert "path-exclude /usr/share/doc/*" in (slim / "etc/dpkg/dpkg.cfg.d/slim").read_text()
    # anything else is refused before debootstrap runs
    (out / "debootstrap.args").unlink()
    proc = subprocess.run([str(UNITS.parents[1] / "tools" / "base-image"), "podman",
                           "debian:13"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "debian:13" in proc.stderr
    assert not (out / "debootstrap.args").exists()
