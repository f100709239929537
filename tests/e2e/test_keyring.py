"""--store-token and tokens from the keyring, in a private D-Bus session with
GNOME Keyring as the Secret Service (dbus-run-session, gnome-keyring-daemon
--unlock): stored, then a crawl and sync without a token; gitlabber's own
entries found; option > environment > keyring; a clear failure where no
Secret Service is reachable; a token typed at a terminal is not echoed."""
import json
import os
import pty
import select
import subprocess
import termios

import pytest

from conftest import clean_env

SPEC = {"groups": [{"name": "Ops", "path": "ops", "projects": [
    {"name": "infra", "path": "infra", "commits": 2},
    {"name": "tools", "path": "tools"},
]}]}
KEYRING_PASSWORD = "glmirror-test-keyring"
# Unlocks (on first use: creates) the login keyring under $HOME, then runs
# the command on the session bus that dbus-run-session started for it alone.
SESSION_SCRIPT = ('printf %s "$GLM_KEYRING_PASSWORD" | '
                  'gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 97\n'
                  'exec "$@"')


@pytest.fixture
def fake(fake_gitlab):
    return fake_gitlab(spec=SPEC)


@pytest.fixture
def home(tmp_path):
    """A HOME of its own (the keyring files live below it) and a runtime dir."""
    h = tmp_path / "home"
    (h / "run").mkdir(parents=True, mode=0o700)
    return h


def session_env(home, extra=None):
    env = clean_env(extra)
    for var in ("DBUS_SESSION_BUS_ADDRESS", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "DISPLAY",
                "WAYLAND_DISPLAY"):
        env.pop(var, None)
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(home / "run"),
               GLM_KEYRING_PASSWORD=KEYRING_PASSWORD)
    return env


def session_argv(*argv):
    return ["dbus-run-session", "--", "sh", "-c", SESSION_SCRIPT, "sh", *map(str, argv)]


def in_session(home, *argv, env=None, input=None, timeout=120):
    """Runs argv in a new D-Bus session whose Secret Service is GNOME Keyring
    with the login keyring under home (the same keyring in every session)."""
    proc = subprocess.run(session_argv(*argv), capture_output=True, text=True,
                          env=session_env(home, env), input=input, timeout=timeout)
    assert proc.returncode >= 0, f"killed by signal {-proc.returncode}: {proc.stderr}"
    assert proc.returncode != 97, f"gnome-keyring-daemon did not start: {proc.stderr}"
    return proc


def secret_tool(home, *args, input=None):
    proc = in_session(home, "secret-tool", *args, input=input)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def project_paths(stdout):
    def walk(node):
        yield node
        for child in node.get("children", []):
            yield from walk(child)
    return {n["root_path"] for n in walk(json.loads(stdout)) if n["type"] == "project"}


def test_store_token_then_crawl_and_sync_without_one(glmirror_bin, fake, home, tmp_path):
    proc = in_session(home, glmirror_bin, "--store-token", "-u", fake.url, input=fake.token + "\n")
    assert proc.returncode == 0, proc.stderr
    assert f"token stored in the keyring for {fake.url}" in proc.stdout
    assert fake.token not in proc.stdout + proc.stderr
    # Stored under glmirror's service, keyed by the URL.
    assert secret_tool(home, "lookup", "service", "glmirror", "username", fake.url) == fake.token

    proc = in_session(home, glmirror_bin, "-u", fake.url, "-p", "--print-format", "json")
    assert proc.returncode == 0, proc.stderr
    assert project_paths(proc.stdout) == {"/Ops/infra", "/Ops/tools"}

    # Crawl and then sync (forked workers after the lookup) with the stored token.
    dest = tmp_path / "mirror"
    proc = in_session(home, glmirror_bin, "-u", fake.url, "-m", "http", "--progress", "never",
                      dest)
    assert proc.returncode == 0, proc.stderr
    for name in ("infra", "tools"):
        head = subprocess.run(["git", "-C", str(dest / "Ops" / name), "rev-parse", "HEAD"],
                              capture_output=True, text=True)
        assert head.returncode == 0, head.stderr
    assert fake.token not in proc.stdout + proc.stderr


def test_environment_and_option_beat_the_keyring(glmirror_bin, fake, home):
    proc = in_session(home, glmirror_bin, "--store-token", "-u", fake.url, "-t", fake.token)
    assert proc.returncode == 0, proc.stderr
    wrong = "glpat-not-the-right-one-000"
    proc = in_session(home, glmirror_bin, "-u", fake.url, "-p", env={"GITLAB_TOKEN": wrong})
    assert proc.returncode == 3, proc.stderr
    proc = in_session(home, glmirror_bin, "-u", fake.url, "-p", "-t", wrong)
    assert proc.returncode == 3, proc.stderr
    assert wrong not in proc.stderr


def test_token_that_gitlabber_stored_is_used(glmirror_bin, fake, home):
    # The entry as gitlabber 2.1.1 leaves it: gitlabber/token_storage.py calls
    # keyring.set_password("gitlabber", url, token), and python-keyring's
    # SecretService backend (jaraco/keyring keyring/backends/SecretService.py)
    # stores it with attributes application="Python keyring library",
    # service, username and the label "Password for '<username>' on '<service>'".
    # gitlabber keys by the URL exactly as typed, here with a trailing slash.
    typed = fake.url + "/"
    secret_tool(home, "store", "--label", f"Password for '{typed}' on 'gitlabber'",
                "application", "Python keyring library", "service", "gitlabber",
                "username", typed, input=fake.token)
    proc = in_session(home, glmirror_bin, "-u", typed, "-p", "--print-format", "json")
    assert proc.returncode == 0, proc.stderr
    assert project_paths(proc.stdout) == {"/Ops/infra", "/Ops/tools"}
    # Another service's entry for the same URL is not gitlabber's and not ours.
    other = home.parent / "other-home"
    (other / "run").mkdir(parents=True, mode=0o700)
    secret_tool(other, "store", "--label", "x", "service", "someone-else", "username", typed,
                input=fake.token)
    proc = in_session(other, glmirror_bin, "-u", typed, "-p")
    assert proc.returncode == 2 and "no token" in proc.stderr, proc.stderr


def test_token_typed_at_a_terminal_is_not_echoed(glmirror_bin, fake, home):
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(session_argv(glmirror_bin, "--store-token", "-u", fake.url),
                                stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=session_env(home))
        os.close(slave)
        slave = -1
        # The prompt comes once echo is off; type only then.
        err = b""
        while b"GitLab token for" not in err:
            ready, _, _ = select.select([proc.stderr], [], [], 60)
            assert ready, f"no prompt within 60 s: {err!r}"
            chunk = os.read(proc.stderr.fileno(), 4096)
            assert chunk, f"stderr closed before the prompt: {err!r}"
            err += chunk
        assert not termios.tcgetattr(master)[3] & termios.ECHO
        os.write(master, fake.token.encode() + b"\n")
        out, rest = proc.communicate(timeout=120)
        err += rest
        echoed = b""
        while select.select([master], [], [], 0)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the other side is closed
                break
            if not chunk:
                break
            echoed += chunk
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    assert proc.returncode == 0, err
    assert b"token stored in the keyring" in out
    assert fake.token.encode() not in echoed + out + err
    assert secret_tool(home, "lookup", "service", "glmirror", "username", fake.url) == fake.token


def no_bus_env(tmp_path, extra=None):
    """A server's environment: no session bus and nothing that could start one."""
    env = clean_env(extra)
    for var in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(var, None)
    run = tmp_path / "run-empty"
    run.mkdir(parents=True, mode=0o700)
    env["XDG_RUNTIME_DIR"] = str(run)
    return env


def test_store_token_without_secret_service_points_at_token_file(glmirror_bin, tmp_path):
    token = "glpat-never-shown-0123456789"
    proc = subprocess.run([glmirror_bin, "--store-token", "-u", "http://127.0.0.1:9"],
                          input=token + "\n", capture_output=True, text=True,
                          env=no_bus_env(tmp_path), timeout=60)
    assert proc.returncode == 2, proc.stderr
    first = proc.stderr.splitlines()[0]
    assert "cannot store the token in the keyring" in first and "--token-file" in first, first
    assert token not in proc.stdout + proc.stderr
    # And a run without a token says so, as without a keyring.
    proc = subprocess.run([glmirror_bin, "-u", "http://127.0.0.1:9", "-p"], capture_output=True,
                          text=True, env=no_bus_env(tmp_path / "b"), timeout=60)
    assert proc.returncode == 2 and "no token" in proc.stderr, proc.stderr


def test_store_token_needs_a_url(glmirror_bin, tmp_path):
    proc = subprocess.run([glmirror_bin, "--store-token", "-t", "glpat-x-0123456789"],
                          capture_output=True, text=True, env=no_bus_env(tmp_path), timeout=60)
    assert proc.returncode == 2
    assert "--store-token needs the GitLab URL" in proc.stderr
