"""tools/install-deps on a pretend Debian 12 (os-release and apt sources under
GLM_DEPS_ROOT) with apt-get, id and pkg-config replaced by stubs on PATH that
log their arguments: nothing on this machine is installed or changed.  The
stubbed pkg-config says which libgit2 the pretend system has."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "install-deps"

DEB822 = """Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""


def stub(bindir, name, body):
    path = bindir / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


@pytest.fixture
def system(tmp_path):
    """Returns run(libgit2_version, os_codename, style) -> (proc, apt-get log, root)."""

    def run(libgit2, codename="bookworm", style="deb822", args=(), suites="bookworm-updates"):
        root = tmp_path / "root"
        (root / "etc/apt/sources.list.d").mkdir(parents=True)
        (root / "usr/sbin").mkdir(parents=True)
        (root / "etc/os-release").write_text(
            f"ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME={codename}\n")
        if style == "deb822":
            (root / "etc/apt/sources.list.d/debian.sources").write_text(
                DEB822.replace("bookworm-updates", suites))
        else:
            (root / "etc/apt/sources.list").write_text(
                "deb http://deb.debian.org/debian bookworm main\n")
        bindir = tmp_path / "bin"
        bindir.mkdir()
        log = tmp_path / "apt.log"
        stub(bindir, "apt-get", f'echo "$*" >>{log}\n')
        stub(bindir, "id", "echo 0\n")
        major, minor = (int(x) for x in libgit2.split(".")[:2])
        new_enough = (major, minor) >= (1, 7)
        stub(bindir, "pkg-config",
             'case "$1" in --atleast-version=1.7) exit %d ;; esac\nexit 0\n'
             % (0 if new_enough else 1))
        env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}", GLM_DEPS_ROOT=str(root))
        proc = subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, env=env,
                              timeout=60)
        calls = log.read_text().splitlines() if log.exists() else []
        return proc, calls, root

    return run


def test_debian_12_with_libgit2_1_5_enables_backports_and_installs_from_it(system):
    proc, calls, root = system("1.5.1")
    assert proc.returncode == 0, proc.stderr
    entry = (root / "etc/apt/sources.list.d/bookworm-backports.sources").read_text()
    assert entry == ("Types: deb\nURIs: http://deb.debian.org/debian\n"
                     "Suites: bookworm-backports\nComponents: main\n"
                     "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n")
    assert calls[0] == "update -q"
    assert "libgit2-dev" not in calls[1].split()
    assert calls[2] == "install -y -q --no-install-recommends -t bookworm-backports libgit2-dev"
    assert len(calls) == 3
    assert not (root / "usr/sbin/policy-rc.d").exists()


def test_one_line_sources_get_a_one_line_entry(system):
    proc, calls, root = system("1.5.1", style="one-line")
    assert proc.returncode == 0, proc.stderr
    entry = (root / "etc/apt/sources.list.d/bookworm-backports.list").read_text()
    assert entry == ("deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
                     "http://deb.debian.org/debian bookworm-backports main\n")
    assert calls[-1].endswith("-t bookworm-backports libgit2-dev")


def test_dry_run_changes_nothing_and_runs_nothing(system):
    proc, calls, root = system("1.5.1", args=("--dry-run",))
    assert proc.returncode == 0, proc.stderr
    assert "would write " + str(root / "etc/apt/sources.list.d/bookworm-backports.sources") \
        in proc.stdout
    assert "would run: apt-get install -y --no-install-recommends -t bookworm-backports " \
        "libgit2-dev" in proc.stdout
    assert calls == []
    assert not (root / "etc/apt/sources.list.d/bookworm-backports.sources").exists()


def test_an_existing_backports_entry_is_not_written_twice(system):
    proc, calls, root = system("1.5.1", suites="bookworm-updates bookworm-backports")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (root / "etc/apt/sources.list.d").iterdir()) == [
        "debian.sources"]
    assert calls[-1].endswith("-t bookworm-backports libgit2-dev")


@pytest.mark.parametrize("libgit2,codename", [("1.8.4", "bookworm"), ("1.9.0", "trixie")])
def test_libgit2_1_7_or_later_installs_nothing(system, libgit2, codename):
    proc, calls, root = system(libgit2, codename=codename)
    assert (proc.returncode, proc.stdout, proc.stderr, calls) == (0, "", "", [])
    assert list((root / "etc/apt/sources.list.d").iterdir()) == [
        root / "etc/apt/sources.list.d/debian.sources"]


def test_another_system_with_an_old_libgit2_builds_with_it(system):
    proc, calls, _ = system("1.5.1", codename="jammy")
    assert (proc.returncode, calls) == (0, [])
