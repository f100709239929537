"""The README's file table names every source file, and only files that exist."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _table_files():
    text = (ROOT / "README.md").read_text()
    start = text.index("| file | role |")
    end = text.index("\n\n", start)
    return set(re.findall(r"`(src/[A-Za-z0-9_*]+\.c|tools/[A-Za-z0-9_./]+)`", text[start:end]))


def test_every_source_file_is_in_the_readme_table():
    named = _table_files()
    patterns = [re.compile(re.escape(n).replace(r"\*", "[A-Za-z0-9_]*") + "$") for n in named]
    missing = [
        f"src/{p.name}"
        for p in sorted((ROOT / "src").glob("*.c"))
        if not any(pat.match(f"src/{p.name}") for pat in patterns)
    ]
    assert missing == []


def test_the_readme_table_names_no_file_that_is_gone():
    gone = [n for n in _table_files() if "*" not in n and not (ROOT / n).exists()]
    assert gone == []
