"""Shared fixtures for the end-to-end tests.

fake_gitlab   factory: fake_gitlab(spec=dict_or_path, generate="...", **cli_opts)
              -> a started FakeGitLab (tests/e2e/fake.py), stopped at teardown
glmirror_bin  path of the binary (GLMIRROR env, else build/default/glmirror)
run_glmirror  run_glmirror(args, env=None, timeout=120, cwd=None) ->
              CompletedProcess (text); GITLAB*/GITLABBER* are not inherited;
              a death by signal fails the test
"""
import os
import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from fake import FakeGitLab, stop_all  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def fake_gitlab(tmp_path):
    started = []

    def start(spec=None, generate=None, **options):
        workdir = tmp_path / f"fake{len(started)}"
        workdir.mkdir()
        fake = FakeGitLab(spec=spec, generate=generate, workdir=workdir, **options)
        started.append(fake)
        return fake
    yield start
    stop_all(started)


@pytest.fixture
def glmirror_bin():
    binary = os.environ.get("GLMIRROR") or str(ROOT / "build/default/glmirror")
    assert os.path.exists(binary), f"glmirror binary not found at {binary}: run make first"
    return binary


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GITLAB") and not k.startswith("GITLABBER")}
    env.update(extra or {})
    return env


@pytest.fixture
def run_glmirror(glmirror_bin):
    def run(args, env=None, timeout=120, cwd=None):
        proc = subprocess.run([glmirror_bin, *[str(a) for a in args]], capture_output=True,
                              text=True, env=clean_env(env), timeout=timeout, cwd=cwd)
        assert proc.returncode >= 0, (
            f"glmirror killed by signal {-proc.returncode}\nstderr:\n{proc.stderr}")
        return proc
    return run
