"""The documentation lists exactly the options the binary has.

The binary's option table (src/options_table.c) is the one source: --help is
written from it, so the options, their short letters, whether they take a
value and their environment variables are read from --help and compared with
README.md's options table, doc/glmirror.1 and doc/glmirror.bash-completion.
"""
import os
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

# "  -u, --url URL   text" or "      --insecure   text"; continuation lines are
# indented further and so never match.
HELP_OPTION = re.compile(r"^  (?:-(\w), |    )--([a-z0-9-]+)( [^ ]+)?(?:  |$)")
ENV_NAME = re.compile(r"\((GITLAB\w*)\)")


def parse_help():
    """{long name: (short letter or None, takes a value, env var or None)} from --help."""
    binary = os.environ.get("GLMIRROR") or str(ROOT / "build/default/glmirror")
    assert os.path.exists(binary), f"glmirror binary not found at {binary}: run make first"
    proc = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30,
                          env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
    assert proc.returncode == 0, proc.stderr
    options, current = {}, None
    for line in proc.stdout.splitlines():
        m = HELP_OPTION.match(line)
        if m:
            current = m.group(2)
            assert current not in options, f"--{current} twice in --help"
            options[current] = [m.group(1), m.group(3) is not None, None]
        elif not line.startswith(" "):
            current = None
        if current is not None:
            env = ENV_NAME.search(line)
            if env:
                options[current][2] = env.group(1)
    return {name: tuple(v) for name, v in options.items()}, proc.stdout


@pytest.fixture(scope="module")
def help_options():
    return parse_help()[0]


def test_help_is_complete_and_fits_80_columns():
    options, text = parse_help()
    # The parser's sanity: a handful that must be there, with their letters and variables.
    assert options["url"] == ("u", True, "GITLAB_URL")
    assert options["token-file"] == (None, True, "GITLAB_TOKEN_FILE")
    assert options["include"] == ("i", True, "GITLABBER_INCLUDE")
    assert options["insecure"] == (None, False, None)
    assert options["help"] == ("h", False, None)
    assert len(options) >= 50
    long_lines = [line for line in text.splitlines() if len(line) > 80]
    assert long_lines == []


def man_options():
    """{long name: (short letter or None, takes a value)} from the OPTIONS section's .TP tags."""
    text = (ROOT / "doc/glmirror.1").read_text()
    section = text.split("\n.SH OPTIONS\n", 1)[1].split("\n.SH ", 1)[0]
    options = {}
    lines = section.splitlines()
    for tag in (lines[i + 1] for i, line in enumerate(lines[:-1]) if line == ".TP"):
        tag = tag.replace("\\-", "-")
        m = re.search(r"--([a-z0-9-]+)(.*)$", tag)
        assert m, f"a .TP tag without a long option: {tag}"
        short = re.search(r"(?<![\w-])-(\w)\b", tag[:m.start()])
        rest = m.group(2).replace('"', "").strip()
        assert m.group(1) not in options, f"--{m.group(1)} twice in glmirror.1"
        options[m.group(1)] = (short.group(1) if short else None, rest != "")
    return options


def man_environment():
    text = (ROOT / "doc/glmirror.1").read_text()
    section = text.split("\n.SH ENVIRONMENT\n", 1)[1].split("\n.SH ", 1)[0]
    return set(re.findall(r"\bGITLAB\w*", section))


def readme_options():
    """{long name: (short letter or None, takes a value, env var or None)} from README's table."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Options\n", 1)[1].split("\n## ", 1)[0]
    options = {}
    for line in section.splitlines():
        if not line.startswith("| `-"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        m = re.fullmatch(r"`(?:-(\w), )?--([a-z0-9-]+)( [^`]+)?`", cells[0])
        assert m, f"README options row not understood: {line}"
        env = re.fullmatch(r"`(GITLAB\w*)`", cells[1])
        assert m.group(2) not in options, f"--{m.group(2)} twice in README.md"
        options[m.group(2)] = (m.group(1), m.group(3) is not None, env.group(1) if env else None)
    return options


def completion_words():
    """(long options offered, options whose value is completed or skipped) of the completion."""
    text = (ROOT / "doc/glmirror.bash-completion").read_text()
    offered = re.search(r'compgen -W "(--[^"]*)"', text)
    assert offered, "no list of long options in glmirror.bash-completion"
    cases = text.split('case "$prev" in', 1)[1].split("esac", 1)[0]
    patterns = re.findall(r"^\s*([-\w|\\\n\t.]+)\)", cases, re.M)
    takes_value = set()
    for pattern in patterns:
        takes_value.update(w.strip("\\\n\t ") for w in pattern.split("|"))
    return set(offered.group(1).split()), takes_value


def test_man_page_lists_every_option(help_options):
    expected = {name: (short, value) for name, (short, value, _) in help_options.items()}
    assert man_options() == expected


def test_man_page_lists_every_variable(help_options):
    assert man_environment() == {env for _, _, env in help_options.values() if env}


def test_readme_lists_every_option_and_variable(help_options):
    assert readme_options() == help_options


def test_bash_completion_knows_every_option(help_options):
    offered, takes_value = completion_words()
    assert offered == {f"--{name}" for name in help_options}
    expected = set()
    for name, (short, value, _) in help_options.items():
        if value:
            expected.add(f"--{name}")
            if short:
                expected.add(f"-{short}")
    assert takes_value == expected
