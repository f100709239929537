"""A hostile or broken server, and bad local input, never get past glmirror (issue 7).

Each test makes the fake GitLab send one hostile answer through an override,
runs the real binary, and checks the documented exit code, a clear message,
that nothing appeared outside DEST, and that the token leaked nowhere.
"""
import json
import os
import pathlib
import socket
import threading

import pytest

from fake import DEMO_SPEC

EXIT_PARTIAL, EXIT_USAGE = 1, 2


def snapshot(top, skip):
    """Every path below top, except below the folders in skip."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames
                       if pathlib.Path(dirpath, d) not in skip]
        for name in dirnames + filenames:
            found.add(pathlib.Path(dirpath, name))
    return found


@pytest.fixture
def world(tmp_path, fake_gitlab):
    """The demo tree served by a fake, a DEST two levels down, and what exists around it."""
    fake = fake_gitlab(spec=DEMO_SPEC)
    dest = tmp_path / "outer" / "inner" / "dest"
    dest.mkdir(parents=True)
    skip = {dest, fake.workdir}
    before = snapshot(tmp_path, skip)
    yield fake, dest, lambda: snapshot(tmp_path, skip) - before


def mirror(run_glmirror, fake, dest, *extra, timeout=120):
    return run_glmirror(["-u", fake.url, "-m", "http", "-n", "path", *extra, str(dest)],
                        env={"GITLAB_TOKEN": fake.token}, timeout=timeout)


def assert_clean(proc, fake, dest, appeared):
    assert appeared() == set(), f"files appeared outside DEST: {appeared()}"
    out = proc.stdout + proc.stderr
    assert fake.token not in out
    for path in dest.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert fake.token.encode() not in path.read_bytes(), f"token in {path}"


def project_override(fake, project_path, patch):
    """Patch one project wherever a listing returns it."""
    fake.control("override", path_regex=r"/projects", item_match={"path": project_path},
                 item_patch=patch)


@pytest.mark.parametrize("naming", ["path", "name"])
def test_dot_dot_path_is_skipped_and_the_rest_is_mirrored(world, run_glmirror, naming):
    fake, dest, appeared = world
    project_override(fake, "deploy", {"path": "../../etc", "name": "../../etc",
                                      "path_with_namespace": "acme/platform/../../etc"})
    report = fake.workdir / "report.json"  # outside the watched folders
    proc = mirror(run_glmirror, fake, dest, "-n", naming, "--report", report)
    assert proc.returncode == EXIT_PARTIAL, proc.stderr
    assert "../../etc" in proc.stderr
    assert_clean(proc, fake, dest, appeared)
    assert not list(dest.rglob("etc"))
    recs = {r["full_path"]: r for r in map(json.loads, report.read_text().splitlines())}
    assert recs["acme/platform/../../etc"]["result"] == "failed"
    assert "'../../etc'" in recs["acme/platform/../../etc"]["reason"]
    assert (dest / "acme" / "website" / ".git").is_dir() or (
        dest / "Acme Corp" / "Website" / ".git").is_dir()


def test_projects_below_an_unsafe_group_are_reported_failed(world, run_glmirror):
    fake, dest, appeared = world
    fake.control("override", path_regex=r"/groups", item_match={"path": "platform"},
                 item_patch={"path": "..", "name": "..", "full_path": "acme/.."})
    report = fake.workdir / "report.json"  # outside the watched folders
    proc = mirror(run_glmirror, fake, dest, "--report", report)
    assert proc.returncode == EXIT_PARTIAL, proc.stderr
    assert_clean(proc, fake, dest, appeared)
    recs = {r["full_path"]: r for r in map(json.loads, report.read_text().splitlines())}
    below = [r for f, r in recs.items() if f.startswith("acme/platform/")]
    assert len(below) == 2, recs.keys()
    for r in below:
        assert r["result"] == "failed" and r["action"] == "none", r
        assert r["reason"] == ("subgroup acme/.. is skipped: folder name '..' is not "
                               "allowed (2 projects below it skipped too)"), r
    assert recs["acme/website"]["result"] == "cloned"
    assert (dest / "acme" / "website" / ".git").is_dir()


def test_nul_in_full_path_is_a_named_error(world, run_glmirror):
    fake, dest, appeared = world
    project_override(fake, "website", {"path": "web\u0000site", "name": "Web\u0000site",
                                       "path_with_namespace": "acme/web\u0000site"})
    proc = mirror(run_glmirror, fake, dest)
    assert proc.returncode == EXIT_PARTIAL, proc.stderr
    assert "\x00" not in proc.stderr
    assert_clean(proc, fake, dest, appeared)
    assert (dest / "acme" / "platform" / "deploy" / ".git").is_dir()


def test_symlink_planted_in_dest_is_not_followed(world, run_glmirror, tmp_path):
    fake, dest, appeared = world
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (dest / "partners").symlink_to(elsewhere)
    proc = mirror(run_glmirror, fake, dest)
    assert proc.returncode == EXIT_PARTIAL, proc.stderr
    assert "symlink" in proc.stderr
    assert list(elsewhere.iterdir()) == []
    assert (dest / "acme" / "website" / ".git").is_dir()
    assert_clean(proc, fake, dest, lambda: appeared() - {elsewhere})


class Listener:
    """A TCP port that records whether anyone connected (the 'other host')."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def other_host():
    listener = Listener()
    yield listener
    listener.close()


def test_link_to_another_host_is_never_followed(world, run_glmirror, other_host):
    fake, dest, appeared = world
    # another endpoint on another host (the same endpoint would be asked of --url)
    evil = f"http://localhost:{other_host.port}/api/v4/projects?page=2"
    fake.control("override", path_regex=r"/groups/[^/?]+/projects", times=1,
                 headers={"Link": f'<{evil}>; rel="next"', "X-Next-Page": None,
                          "X-Total-Pages": None, "X-Total": None})
    proc = mirror(run_glmirror, fake, dest)
    assert proc.returncode == EXIT_PARTIAL, proc.stderr
    assert "another host" in proc.stderr
    assert other_host.connections == 0
    assert_clean(proc, fake, dest, appeared)


# On another host, only the project's own path is taken (and cloned from --url).
@pytest.mark.parametrize("url", ["http://localhost:{port}/acme/other.git",
                                 "file:///etc/passwd", "file:///tmp/x.git"])
def test_clone_url_to_another_host_is_refused(world, run_glmirror, other_host, url):
    fake, dest, appeared = world
    project_override(fake, "website", {"http_url_to_repo": url.format(port=other_host.port)})
    proc = mirror(run_glmirror, fake, dest)
    assert proc.returncode == EXIT_PARTIAL, proc.stderr
    assert "website" in proc.stderr
    assert other_host.connections == 0
    assert not (dest / "acme" / "website").exists()
    assert (dest / "acme" / "platform" / "deploy" / ".git").is_dir()
    assert_clean(proc, fake, dest, appeared)


def test_endless_pagination_stops(world, run_glmirror):
    fake, dest, appeared = world
    fake.control("override", path_regex=r"/groups/[^/?]+/projects",
                 headers={"X-Next-Page": "{next_page}", "X-Total-Pages": None,
                          "X-Total": None, "Link": None})
    proc = mirror(run_glmirror, fake, dest, "-p", timeout=300)
    assert proc.returncode == EXIT_PARTIAL, proc.stderr
    assert "pag" in proc.stderr.lower()
    assert_clean(proc, fake, dest, appeared)


def test_huge_body_is_refused(world, run_glmirror):
    fake, dest, appeared = world
    fake.control("override", path_regex=r"/groups/[^/?]+/projects", status=200,
                 body_repeat={"prefix": "[", "chunk": '{"id": 1, "name": "' + "x" * 1000 + '"},',
                              "count": 200_000, "suffix": "{}]"})
    proc = mirror(run_glmirror, fake, dest, "-p")
    assert proc.returncode == EXIT_PARTIAL, proc.stderr
    assert "too large" in proc.stderr or "bytes" in proc.stderr
    assert_clean(proc, fake, dest, appeared)


def test_deep_json_is_refused(world, run_glmirror):
    fake, dest, appeared = world
    fake.control("override", path_regex=r"/groups/[^/?]+/projects", status=200,
                 body="[" * 100_000 + "]" * 100_000)
    proc = mirror(run_glmirror, fake, dest, "-p")
    assert proc.returncode == EXIT_PARTIAL, proc.stderr
    assert "nest" in proc.stderr.lower() or "deep" in proc.stderr.lower()
    assert_clean(proc, fake, dest, appeared)


def test_wrong_types_and_cycles_are_named_errors(world, run_glmirror):
    fake, dest, appeared = world
    project_override(fake, "website", {"id": "not a number"})
    fake.control("override", path_regex=r"/descendant_groups", item_match={"path": "platform"},
                 item_patch={"parent_id": None, "id": None})
    proc = mirror(run_glmirror, fake, dest, "-p")
    assert proc.returncode == EXIT_PARTIAL, proc.stderr
    assert_clean(proc, fake, dest, appeared)


def test_dest_that_is_a_file_is_a_usage_error(world, run_glmirror, tmp_path):
    fake, _, _ = world
    target = tmp_path / "a-file"
    target.write_text("x")
    proc = mirror(run_glmirror, fake, target)
    assert proc.returncode == EXIT_USAGE, proc.stderr
    assert "not a folder" in proc.stderr
    assert fake.stats()["total"] == 0


@pytest.mark.parametrize("content", ["", "{", '{"glmirror_tree": 99}', "\x00\x01garbage",
                                     '{"glmirror_tree": 1, "type": "root", "children": 5}'])
def test_corrupt_tree_file_is_a_usage_error(tmp_path, run_glmirror, content):
    tree = tmp_path / "tree.json"
    tree.write_text(content)
    proc = run_glmirror(["-f", tree, "-p"])
    assert proc.returncode == EXIT_USAGE, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "tree.json" in lines[0], proc.stderr


def test_tree_file_from_another_gitlab_is_refused(world, run_glmirror, tmp_path):
    fake, dest, _ = world
    tree = tmp_path / "tree.json"
    proc = mirror(run_glmirror, fake, dest, "-p", "--tree-out", tree)
    assert proc.returncode == 0, proc.stderr
    proc = run_glmirror(["-f", tree, "-u", "https://gitlab.other.example", str(dest)],
                        env={"GITLAB_TOKEN": fake.token})
    assert proc.returncode == EXIT_USAGE, proc.stderr
    assert "gitlab.other.example" in proc.stderr
    assert fake.url in json.loads(tree.read_text()).values()
    assert fake.token not in tree.read_text()
