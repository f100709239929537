"""The command line as a user meets it: help, version, usage errors, install."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOKEN = "glpat-cli-secret-0123456789"


def glmirror(*args, env=None, timeout=30):
    binary = os.environ.get("GLMIRROR") or str(ROOT / "build/default/glmirror")
    assert os.path.exists(binary), f"glmirror binary not found at {binary}: run make first"
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith("GITLAB") and not k.startswith("GITLABBER")}
    full_env.update(env or {})
    return subprocess.run([binary, *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout)


def assert_one_line_error(proc, code, *words):
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert TOKEN not in proc.stdout + proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("glmirror: error: "), proc.stderr
    for word in words:
        assert word in first, (word, first)


def test_version_and_help():
    proc = glmirror("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("glmirror ")
    proc = glmirror("--help")
    assert proc.returncode == 0
    for opt in ("--token", "--url", "--print-format", "--naming", "--method", "--archived",
                "--include", "--exclude", "--concurrency", "--api-concurrency",
                "--recursive", "--use-fetch", "--mirror", "--include-shared",
                "--exclude-shared", "--group-search", "--user-projects", "--git-options",
                "--file", "--fail-fast", "--verbose", "--hide-token", "--group",
                "--token-file", "--api-rate-limit", "--api-timeout", "--api-retries",
                "--store-token", "GITLABBER_API_RATE_LIMIT",
                "--tree-out", "--report", "--cacert", "--insecure", "--quiet",
                "--progress", "--dry-run", "--shard", "--git-timeout", "Exit status"):
        assert opt in proc.stdout, opt


@pytest.mark.parametrize("args,words", [
    (["--bogus"], ["unknown option '--bogus'"]),
    (["-u", "http://127.0.0.1:9", "-t", TOKEN, "-c", "0", "d"], ["--concurrency", "'0'"]),
    (["-u", "http://127.0.0.1:9", "-t", TOKEN, "-m", "git", "d"], ["--method"]),
    (["-u", "127.0.0.1:9", "-t", TOKEN, "d"], ["--url", "https://"]),
    (["-t", TOKEN, "d"], ["no GitLab URL"]),
    (["-u", "http://127.0.0.1:9", "d"], ["no token"]),
    (["-u", "http://127.0.0.1:9", "-t", TOKEN], ["no destination"]),
    (["-u", "http://127.0.0.1:9", "-t", TOKEN, "--shard", "4/4", "d"], ["--shard"]),
    (["-u", "http://127.0.0.1:9", "--token-file", "/nonexistent/t", "d"], ["token file"]),
])
def test_usage_errors_are_one_line_with_exit_2(args, words):
    proc = glmirror(*args)
    assert_one_line_error(proc, 2, *words)
    assert "glmirror --help" in proc.stderr


def test_token_in_argv_warns():
    proc = glmirror("-u", "http://127.0.0.1:9", "-t", TOKEN, "-c", "0", "d")
    assert "prefer --token-file" not in proc.stderr  # usage errors come first
    proc = glmirror("-u", "127.0.0.1", "-t", TOKEN, "d")
    assert TOKEN not in proc.stderr


def test_man_page_has_no_warnings():
    proc = subprocess.run(["man", "--warnings", "-l", str(ROOT / "doc/glmirror.1")],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "MANPAGER": "cat", "PAGER": "cat"})
    assert proc.returncode == 0
    assert proc.stderr == "", proc.stderr
    assert "--group-search" in proc.stdout.replace("\u2010", "-")


def test_make_install_layout(tmp_path):
    binary = os.environ.get("GLMIRROR") or str(ROOT / "build/default/glmirror")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    proc = subprocess.run(["make", "-s", "-C", str(ROOT), "install-files",
                           f"INSTALL_BIN={binary}", f"DESTDIR={tmp_path}", "PREFIX=/usr"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    installed = tmp_path / "usr/bin/glmirror"
    assert os.access(installed, os.X_OK)
    assert (tmp_path / "usr/share/man/man1/glmirror.1").is_file()
    completion = tmp_path / "usr/share/bash-completion/completions/glmirror"
    assert completion.is_file()
    check = subprocess.run(["bash", "-c", f"source {completion} && complete -p glmirror"],
                           capture_output=True, text=True, timeout=30)
    assert "_glmirror" in check.stdout
    assert subprocess.run([str(installed), "--version"], capture_output=True,
                          timeout=30).returncode == 0
