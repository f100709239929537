"""Fixtures for the fake GitLab's own tests (reuses tests/e2e/fake.py)."""
import json
import os
import pathlib
import stat
import sys

import pytest

E2E = pathlib.Path(__file__).resolve().parents[1] / "e2e"
sys.path.insert(0, str(E2E))

from fake import DEMO_SPEC, FakeGitLab, stop_all  # noqa: E402


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One read-only fake serving tools/demo-tree.json for a whole module."""
    fake = FakeGitLab(spec=DEMO_SPEC, workdir=tmp_path_factory.mktemp("demo"))
    yield fake
    fake.stop()


@pytest.fixture
def start_fake(tmp_path):
    started = []

    def start(spec=None, **options):
        workdir = tmp_path / f"fake{len(started)}"
        workdir.mkdir()
        fake = FakeGitLab(spec=spec, workdir=workdir, **options)
        started.append(fake)
        return fake
    yield start
    stop_all(started)


@pytest.fixture
def git_env(tmp_path):
    """Environment for `git` that answers the fake's credential prompt from a
    GIT_ASKPASS script, so the token never appears in argv."""
    def make(token):
        script = tmp_path / "askpass.sh"
        secret = tmp_path / "secret"
        secret.write_text(token)
        script.write_text('#!/bin/sh\ncase "$1" in Username*) echo oauth2;; '
                          f'*) cat {json.dumps(str(secret))};; esac\n')
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update({"GIT_ASKPASS": str(script), "GIT_TERMINAL_PROMPT": "0",
                    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                    "HOME": str(tmp_path)})
        return env
    return make



@pytest.fixture
def ssh_env(tmp_path):
    """Environment for `git` over SSH to a FakeGitLab(ssh=True): its client
    key, its host key known under `host` (the name in ssh_url_to_repo)."""
    def make(fake, key=None, host="127.0.0.1"):
        known = tmp_path / "known_hosts"
        known.write_text(fake.ssh_host_line.replace("[127.0.0.1]", f"[{host}]") + "\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.pop("SSH_AUTH_SOCK", None)
        env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                    "GIT_SSH_COMMAND": f"ssh -i {key or fake.ssh_key} -o IdentitiesOnly=yes "
                                       f"-o BatchMode=yes -o UserKnownHostsFile={known}"})
        return env
    return make
