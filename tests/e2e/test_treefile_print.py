"""glmirror -f TREEFILE -p: tree files written by hand, the print formats, the
filters, and the one-line error (exit 2) for every broken file.  No GitLab is
involved: the supervisor reads the tree from the file."""
import json

import pytest

TOKEN = "glpat-treefile-secret-0123456789"
BASE = "https://gitlab.example.com"
LONG = "A rather long project name that goes on and on past eighty columns of text"


def project(pid, name, path, full, **extra):
    node = {"type": "project", "id": pid, "gitlab_name": name, "gitlab_path": path,
            "full_path": full,
            "ssh_url": f"git@gitlab.example.com:{full}.git",
            "http_url": f"{BASE}/{full}.git", "web_url": f"{BASE}/{full}"}
    node.update(extra)
    return node


def group(gid, name, path, full, children, **extra):
    node = {"type": "group", "id": gid, "gitlab_name": name, "gitlab_path": path,
            "full_path": full,
            "web_url": f"{BASE}/{full}", "children": children}
    node.update(extra)
    return node


def sample_tree():
    return {"glmirror_tree": 1, "name": "", "root_path": "", "type": "root", "url": BASE,
            "children": [
                group(3, "empty", "empty", "empty", []),
                group(1, "Data Science", "data-science", "data-science", [
                    project(13, "it's: here", "quote", "data-science/quote"),
                    group(2, "Grün 日本", "gruen", "data-science/gruen", [
                        project(10, "yes", "yes", "data-science/gruen/yes"),
                        project(11, "emoji 🙂", "emoji", "data-science/gruen/emoji"),
                        project(14, "old", "old", "data-science/gruen/old", archived=True),
                    ]),
                    project(12, LONG, "long", "data-science/long"),
                    project(15, "lent", "lent", "other/lent", shared=True),
                ]),
            ]}


def write_tree(tmp_path, tree, name="tree.json"):
    path = tmp_path / name
    path.write_text(json.dumps(tree), encoding="utf-8")
    return path


@pytest.fixture
def tree_file(tmp_path):
    return write_tree(tmp_path, sample_tree())


def printed(run_glmirror, tree_file, *args, code=0):
    proc = run_glmirror(["-f", tree_file, "-p", *args])
    assert proc.returncode == code, proc.stderr
    if code == 0:
        assert proc.stderr == ""
    return proc.stdout


GOLDEN_TREE = """root [https://gitlab.example.com]
├── Data Science [/Data Science]
│   ├── A rather long project name that goes on and on past eighty columns of text \
[/Data Science/A rather long project name that goes on and on past eighty columns of text]
│   ├── Grün 日本 [/Data Science/Grün 日本]
│   │   ├── emoji 🙂 [/Data Science/Grün 日本/emoji 🙂]
│   │   ├── old [/Data Science/Grün 日本/old]
│   │   └── yes [/Data Science/Grün 日本/yes]
│   └── it's: here [/Data Science/it's: here]
└── empty [/empty]
"""

# PyYAML's yaml.dump(d, default_flow_style=False) of the same dict, plus print()'s newline.
GOLDEN_YAML = r"""children:
- children:
  - name: A rather long project name that goes on and on past eighty columns of text
    root_path: /Data Science/A rather long project name that goes on and on past eighty
      columns of text
    type: project
    url: git@gitlab.example.com:data-science/long.git
  - children:
    - name: "emoji \U0001F642"
      root_path: "/Data Science/Gr\xFCn \u65E5\u672C/emoji \U0001F642"
      type: project
      url: git@gitlab.example.com:data-science/gruen/emoji.git
    - name: old
      root_path: "/Data Science/Gr\xFCn \u65E5\u672C/old"
      type: project
      url: git@gitlab.example.com:data-science/gruen/old.git
    - name: 'yes'
      root_path: "/Data Science/Gr\xFCn \u65E5\u672C/yes"
      type: project
      url: git@gitlab.example.com:data-science/gruen/yes.git
    name: "Gr\xFCn \u65E5\u672C"
    root_path: "/Data Science/Gr\xFCn \u65E5\u672C"
    type: subgroup
    url: https://gitlab.example.com/data-science/gruen
  - name: 'it''s: here'
    root_path: '/Data Science/it''s: here'
    type: project
    url: git@gitlab.example.com:data-science/quote.git
  name: Data Science
  root_path: /Data Science
  type: group
  url: https://gitlab.example.com/data-science
- name: empty
  root_path: /empty
  type: group
  url: https://gitlab.example.com/empty
name: ''
root_path: ''
type: root
url: https://gitlab.example.com

"""


def test_tree_format_is_gitlabbers(run_glmirror, tree_file):
    assert printed(run_glmirror, tree_file) == GOLDEN_TREE
    assert printed(run_glmirror, tree_file, "--print-format", "tree") == GOLDEN_TREE


def test_yaml_format_is_pyyamls(run_glmirror, tree_file):
    assert printed(run_glmirror, tree_file, "--print-format", "yaml") == GOLDEN_YAML


def leaves(node):
    """root_path of every node, parents first, as gitlabber's JSON nests them."""
    out = [node["root_path"]] if node["type"] != "root" else []
    for child in node.get("children", []):
        out += leaves(child)
    return out


def test_json_format_is_gitlabbers(run_glmirror, tree_file):
    out = printed(run_glmirror, tree_file, "--print-format", "json")
    doc = json.loads(out)
    # Byte for byte what anytree's JsonExporter(indent=2, sort_keys=True) prints.
    assert out == json.dumps(doc, indent=2, sort_keys=True) + "\n"
    assert doc["name"] == "" and doc["root_path"] == "" and doc["type"] == "root"
    assert doc["url"] == BASE
    ds = doc["children"][0]
    assert set(ds) == {"children", "name", "root_path", "type", "url"}
    assert ds["url"] == f"{BASE}/data-science" and ds["type"] == "group"
    gruen = ds["children"][1]
    assert gruen["name"] == "Grün 日本" and gruen["type"] == "subgroup"
    assert gruen["children"][0] == {
        "name": "emoji 🙂", "root_path": "/Data Science/Grün 日本/emoji 🙂",
        "type": "project", "url": "git@gitlab.example.com:data-science/gruen/emoji.git"}
    assert "children" not in doc["children"][1]  # the empty group
    assert "\\u00fc" in out  # ensure_ascii, as Python's json.dumps
    # -m http prints the HTTP clone URL, never with a token in it.
    out = printed(run_glmirror, tree_file, "--print-format", "json", "-m", "http")
    assert f'"url": "{BASE}/data-science/long.git"' in out
    assert "git@" not in out


def test_print_format_is_case_insensitive(run_glmirror, tree_file):
    assert printed(run_glmirror, tree_file, "--print-format", "YAML") == GOLDEN_YAML


def test_naming_path(run_glmirror, tree_file):
    doc = json.loads(printed(run_glmirror, tree_file, "--print-format", "json", "-n", "path"))
    assert leaves(doc) == [
        "/data-science", "/data-science/gruen", "/data-science/gruen/emoji",
        "/data-science/gruen/old", "/data-science/gruen/yes", "/data-science/long",
        "/data-science/quote", "/empty"]


def paths(run_glmirror, tree_file, *args):
    return leaves(json.loads(printed(run_glmirror, tree_file, "--print-format", "json", *args)))


def test_include_exclude_like_gitlabber(run_glmirror, tree_file):
    # An include keeps the matches and their ancestors only.
    assert paths(run_glmirror, tree_file, "-i", "/Data Science/Grün 日本/y*") == [
        "/Data Science", "/Data Science/Grün 日本", "/Data Science/Grün 日本/yes"]
    # gitlabber's README form: '/MyGroup**' (the group itself and all below it).
    assert paths(run_glmirror, tree_file, "-i", "/empty**") == ["/empty"]
    # Comma-separated lists; exclude wins over include.
    assert paths(run_glmirror, tree_file, "-i", "/Data Science/**,/empty",
                 "-x", "/Data Science/Grün*/**,/Data Science/A*") == [
        "/Data Science", "/Data Science/Grün 日本", "/Data Science/it's: here", "/empty"]
    # Matching is on names by default, on paths with -n path.
    assert paths(run_glmirror, tree_file, "-i", "/data-science/**") == []
    assert paths(run_glmirror, tree_file, "-n", "path", "-i", "/data-science/gruen/*") == [
        "/data-science", "/data-science/gruen", "/data-science/gruen/emoji",
        "/data-science/gruen/old", "/data-science/gruen/yes"]
    # The environment variables gitlabber reads.
    proc = run_glmirror(["-f", tree_file, "-p"], env={"GITLABBER_INCLUDE": "/empty"})
    assert proc.returncode == 0 and proc.stdout == "root [%s]\n└── empty [/empty]\n" % BASE


def test_archived_modes(run_glmirror, tree_file):
    every = paths(run_glmirror, tree_file)
    assert "/Data Science/Grün 日本/old" in every
    assert paths(run_glmirror, tree_file, "-a", "exclude") == [
        p for p in every if not p.endswith("/old")]
    only = paths(run_glmirror, tree_file, "-a", "only")
    assert [p for p in only if "/Grün 日本/" in p] == ["/Data Science/Grün 日本/old"]


def test_shared_projects_only_with_s(run_glmirror, tmp_path):
    tree = sample_tree()
    tree_path = write_tree(tmp_path, tree)
    assert "/Data Science/lent" not in paths(run_glmirror, tree_path)
    assert "/Data Science/lent" in paths(run_glmirror, tree_path, "-s")
    assert "/Data Science/lent" not in paths(run_glmirror, tree_path, "-s", "--exclude-shared")


GITLABBER_KEYS = {"children", "name", "root_path", "type", "url"}


def gitlabber_part(node):
    """node with gitlabber's keys only: what gitlabber's -p json prints."""
    out = {k: v for k, v in node.items() if k in GITLABBER_KEYS}
    if "children" in node:
        out["children"] = [gitlabber_part(c) for c in node["children"]]
    return out


def test_tree_out_round_trip(run_glmirror, tree_file, tmp_path):
    out_file = tmp_path / "out.json"
    proc = run_glmirror(["-f", tree_file, "-p", "--tree-out", out_file, "-x", "/empty"],
                        env={"GITLAB_TOKEN": TOKEN})
    assert proc.returncode == 0, proc.stderr
    written = out_file.read_text(encoding="utf-8")
    assert TOKEN not in written
    doc = json.loads(written)
    assert written == json.dumps(doc, indent=2, sort_keys=True) + "\n"
    assert doc["glmirror_tree"] == 1 and doc["url"] == BASE and doc["type"] == "root"
    assert doc["naming"] == "name" and doc["method"] == "ssh"
    assert [c["name"] for c in doc["children"]] == ["Data Science"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "tree.json"]
    assert printed(run_glmirror, out_file) == printed(run_glmirror, tree_file, "-x", "/empty")
    # A superset of gitlabber's JSON: its keys, with gitlabber's values.
    assert gitlabber_part(doc) == json.loads(
        printed(run_glmirror, tree_file, "--print-format", "json", "-x", "/empty"))
    old = doc["children"][0]["children"][1]["children"][1]
    assert old == {
        "archived": True, "default_branch": None, "empty_repo": False,
        "full_path": "data-science/gruen/old", "gitlab_name": "old", "gitlab_path": "old",
        "http_url": f"{BASE}/data-science/gruen/old.git", "id": 14,
        "name": "old", "parent_id": 0,
        "root_path": "/Data Science/Grün 日本/old", "shared": False,
        "ssh_url": "git@gitlab.example.com:data-science/gruen/old.git", "type": "project",
        "url": "git@gitlab.example.com:data-science/gruen/old.git",
        "web_url": f"{BASE}/data-science/gruen/old"}
    # Deterministic: the same tree gives the same bytes, whatever the time.
    again = tmp_path / "again.json"
    proc = run_glmirror(["-f", out_file, "-p", "--tree-out", again])
    assert proc.returncode == 0, proc.stderr
    assert again.read_bytes() == out_file.read_bytes()
    # -n path -m http: name, root_path and url follow them; the facts do not change.
    proc = run_glmirror(["-f", out_file, "-p", "-n", "path", "-m", "http", "--tree-out", again])
    assert proc.returncode == 0, proc.stderr
    doc2 = json.loads(again.read_text(encoding="utf-8"))
    assert doc2["naming"] == "path" and doc2["method"] == "http"
    ds = doc2["children"][0]
    assert ds["name"] == "data-science" and ds["root_path"] == "/data-science"
    assert ds["gitlab_name"] == "Data Science"
    assert ds["children"][0]["children"][0]["url"] == f"{BASE}/data-science/gruen/emoji.git"


def test_gitlabber_json_is_read(run_glmirror, tree_file, tmp_path):
    """A gitlabber user's `gitlabber -p --print-format json` output works with -f."""
    gl_text = printed(run_glmirror, tree_file, "--print-format", "json")
    gl_file = tmp_path / "gitlabber.json"
    gl_file.write_text(gl_text, encoding="utf-8")
    assert printed(run_glmirror, gl_file, "--print-format", "json") == gl_text
    assert printed(run_glmirror, gl_file) == GOLDEN_TREE
    out_file = tmp_path / "out.json"
    proc = run_glmirror(["-f", gl_file, "-p", "--tree-out", out_file])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out_file.read_text(encoding="utf-8"))
    gruen = doc["children"][0]["children"][1]
    # The name is all gitlabber kept: it stands for the path too; ids are unknown.
    assert gruen["gitlab_name"] == gruen["gitlab_path"] == "Grün 日本"
    assert gruen["full_path"] == "Data Science/Grün 日本" and gruen["id"] == 0
    assert gruen["web_url"] == f"{BASE}/data-science/gruen"
    emoji = gruen["children"][0]
    assert emoji["ssh_url"] == "git@gitlab.example.com:data-science/gruen/emoji.git"
    assert "http_url" not in emoji
    # gitlabber -m http output gives http_url instead.
    gl_file.write_text(printed(run_glmirror, tree_file, "--print-format", "json", "-m", "http"),
                       encoding="utf-8")
    out = printed(run_glmirror, gl_file, "--print-format", "json", "-m", "http")
    assert f'"url": "{BASE}/data-science/gruen/emoji.git"' in out


def test_unsafe_names_are_skipped_and_reported(run_glmirror, tmp_path):
    tree = sample_tree()
    tree["children"].append(
        group(7, "..", "dotdot", "dotdot", [project(70, "inside", "inside", "dotdot/inside")]))
    tree["children"].append(project(71, "evil\u001b[2J", "evil", "evil"))
    proc = run_glmirror(["-f", write_tree(tmp_path, tree), "-p"])
    assert proc.returncode == 1, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr
    errors = proc.stderr.splitlines()
    assert len(errors) == 2, proc.stderr
    assert any("dotdot" in e and "'..' is not allowed" in e for e in errors)
    assert any("control character" in e for e in errors)
    assert proc.stdout.startswith(GOLDEN_TREE.splitlines()[0])
    assert "inside" not in proc.stdout


def test_other_url_is_refused(run_glmirror, tree_file):
    proc = run_glmirror(["-f", tree_file, "-p", "-u", "https://elsewhere.example.com"])
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1
    assert "was made from https://gitlab.example.com" in proc.stderr


def test_bad_pattern_is_a_usage_error(run_glmirror, tree_file):
    proc = run_glmirror(["-f", tree_file, "-p", "-i", "/ok/**,/bad[x"])
    assert proc.returncode == 2
    assert proc.stderr == "glmirror: error: --include: bad pattern '/bad[x': unclosed '['\n"
    assert proc.stdout == ""


def good_text():
    return json.dumps(sample_tree(), indent=1)


CORRUPT = {
    "empty": ("", "the file is empty"),
    "truncated": (good_text()[:-40], "truncated"),
    "cut-in-string": (good_text()[:300], "truncated"),
    "not-json": ("glmirror_tree: 1\n", "not valid JSON at line 1"),
    "garbage-after": (good_text() + "\n}", "unexpected text after the JSON"),
    "version-2": (good_text().replace('"glmirror_tree": 1', '"glmirror_tree": 2'),
                  "format version 2 is not supported"),
    "old-shape": (json.dumps({"glmirror_tree": 1, "base_url": BASE, "root": {"type": "root"}}),
                  "the root's \"url\" is missing"),
    "gitlabber-no-name": (json.dumps({"type": "root", "url": BASE, "children": [
        {"type": "group", "root_path": "/x", "url": BASE + "/x"}]}),
        "(root_path '/x'): 'name' is missing or empty"),
    "token-in-url": (good_text().replace(f'"{BASE}/data-science/long.git"',
                                         '"https://oauth2:glpat-x@gitlab.example.com/l.git"'),
                     "'http_url' holds a user name or password"),
    "id-as-string": (good_text().replace('"id": 13', '"id": "13"'),
                     "(full_path 'data-science/quote'): 'id' is not a whole number"),
    "name-missing": (good_text().replace('"gitlab_name": "old",', ''),
                     "(full_path 'data-science/gruen/old'): 'gitlab_name' is missing"),
    "archived-string": (good_text().replace('"archived": true', '"archived": "true"'),
                        "'archived' is not true or false"),
    "nul-escape": (good_text().replace('"yes"', '"ye\\u0000s"', 1), "\\u0000"),
    "root-not-root": (good_text().replace('"type": "root"', '"type": "group"'),
                      "the top node is not of type 'root'"),
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_broken_tree_file_is_one_line_exit_2(run_glmirror, tmp_path, case):
    text, words = CORRUPT[case]
    path = tmp_path / f"{case}.json"
    path.write_text(text, encoding="utf-8")
    assert text != good_text()
    proc = run_glmirror(["-f", path, "-p"], env={"GITLAB_TOKEN": TOKEN})
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"glmirror: error: tree file '{path}': "), lines[0]
    assert words in lines[0], lines[0]
    assert TOKEN not in proc.stderr


def test_missing_tree_file_is_exit_2(run_glmirror, tmp_path):
    path = tmp_path / "nope.json"
    proc = run_glmirror(["-f", path, "-p"])
    assert proc.returncode == 2
    assert proc.stderr == f"glmirror: error: tree file '{path}': No such file or directory\n"
