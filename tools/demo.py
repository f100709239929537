#!/usr/bin/env python3
"""make demo: start the bundled fake GitLab with a sample tree, mirror it into
./demo-mirror with glmirror, print the tree, stop the server.

Uses only the standard library; GLMIRROR names the binary to run.
"""
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
TOKEN = "glpat-fake-token-0123456789"


def start_fake(workdir):
    port_file = workdir / "port"
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tools/fake_gitlab.py"), "--spec",
         str(ROOT / "tools/demo-tree.json"), "--port-file", str(port_file),
         "--repos-dir", str(workdir / "repos"), "--token", TOKEN],
        stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not port_file.exists():
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            sys.exit("demo: the fake GitLab did not start")
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port_file.read_text().strip()}"


def main():
    binary = os.environ.get("GLMIRROR", str(ROOT / "build/default/glmirror"))
    dest = ROOT / "demo-mirror"
    with tempfile.TemporaryDirectory(prefix="glmirror-demo-") as tmp:
        server, url = start_fake(pathlib.Path(tmp))
        try:
            env = {**os.environ, "GITLAB_URL": url, "GITLAB_TOKEN": TOKEN}
            print(f"demo: fake GitLab at {url}; mirroring everything into {dest}", flush=True)
            tree = dest / ".glmirror-tree.json"
            dest.mkdir(exist_ok=True)
            sync = subprocess.run([binary, "-m", "http", "-s", "--tree-out", str(tree),
                                   str(dest)], env=env)
            print("\ndemo: the tree (glmirror -f demo-mirror/.glmirror-tree.json -p -s):",
                  flush=True)
            printed = subprocess.run([binary, "-f", str(tree), "-p", "-s"], env=env)
            print("\ndemo: on disk:", flush=True)
            for path in sorted(dest.rglob("*")):
                rel = path.relative_to(dest)
                if ".git" in rel.parts or rel.name.startswith(".glmirror"):
                    continue
                if (path / ".git").is_dir():
                    head = subprocess.run(["git", "-C", str(path), "log", "-1",
                                           "--format=%h %s"], capture_output=True,
                                          text=True).stdout.strip()
                    print(f"  {rel}/  (git: {head or 'empty repository'})")
                elif path.is_dir() and not any(p.name == ".git" for p in path.parents):
                    print(f"  {rel}/")
            return sync.returncode or printed.returncode
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    sys.exit(main())
