"""Bare repositories, created on first use with `git fast-import`.

A repository lives in <root>/<project id>.git, so renames and moves do not
touch it.  Content and dates are fixed (derived from the project id and the
commit number), so the same spec always gives the same commit ids.  A new
repository is built in a temporary directory and renamed into place.
"""
import os
import random
import shutil
import subprocess
import threading

from . import lfsobjects
from .model import EPOCH

GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
AUTHOR = "Fake GitLab <fake@gitlab.invalid>"


def git_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_ENV)
    return env


def git(*args, cwd=None, data=None):
    proc = subprocess.run(["git", *args], cwd=cwd, input=data, env=git_env(),
                          capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f"git {args[0]} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode().strip()


def _blob(text):
    b = text.encode() if isinstance(text, str) else text
    return b"data %d\n%s\n" % (len(b), b)


def lfs_content(project, path, size, salt=""):
    """The fixed content of an LFS file: pseudo-random, so it never compresses."""
    return random.Random(f"{project.id}/{path}/{salt}").randbytes(size)


class Repos:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        os.makedirs(self.root, exist_ok=True)
        self.lock = threading.Lock()
        self.locks = {}  # project id -> Lock

    def path(self, project):
        return os.path.join(self.root, f"{project.id}.git")

    def _lfs_root(self, project):
        return os.path.join(self.root, f"{project.id}.lfs")

    def lfs_object(self, project, oid):
        """The file of an LFS object the server has, or None."""
        if len(oid) != 64 or any(c not in "0123456789abcdef" for c in oid):
            return None
        path = os.path.join(self._lfs_root(project), oid)
        return path if os.path.isfile(path) else None

    def _lfs_files(self, project, files, missing=(), salt=""):
        """fast-import lines adding LFS files {path: size} and their
        .gitattributes lines; the objects are stored unless missing."""
        out, attrs = [], []
        for path, size in sorted(files.items()):
            data = lfs_content(project, path, size, salt)
            text, oid = lfsobjects.pointer(data)
            if path not in missing:
                lfsobjects.store(self._lfs_root(project), data)
            out.append(b"M 100644 inline %s\n" % path.encode())
            out.append(_blob(text))
            attrs.append(f"/{path} filter=lfs diff=lfs merge=lfs -text\n")
        return out, attrs

    def _lock(self, project):
        with self.lock:
            return self.locks.setdefault(project.id, threading.Lock())

    def ensure(self, project):
        """The repository's directory, created if missing."""
        final = self.path(project)
        if os.path.isdir(final):  # complete: it is renamed into place
            return final
        # submodule repositories first, outside this project's lock (no
        # cycles: the spec forbids submodules in submodules)
        gitlinks = [(where, self.head(target)) for where, target in project.submodules]
        with self._lock(project):
            if not os.path.isdir(final):
                self._create(project, final, gitlinks)
        return final

    def head(self, project):
        """The commit id of a project's default branch (creating the repository)."""
        return git("rev-parse", "HEAD", cwd=self.ensure(project))

    def _gitmodules(self, project):
        """.gitmodules with URLs relative to the project's own URL, as GitLab
        recommends, so they work whatever host serves them."""
        up = "../" * len(project.full_path.split("/"))
        return "".join(f'[submodule "{where}"]\n\tpath = {where}\n'
                       f"\turl = {up}{target.full_path}.git\n"
                       for where, target in project.submodules)

    def _create(self, project, final, gitlinks):
        tmp = f"{final}.tmp{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        git("init", "--bare", "-q", tmp)
        branch = project.default_branch or "main"
        git("symbolic-ref", "HEAD", f"refs/heads/{branch}", cwd=tmp)
        if not project.empty:
            stream = []
            when = int(EPOCH.timestamp()) + project.id * 1000
            for n in range(1, project.commits + 1):
                stream.append(b"commit refs/heads/%s\nmark :%d\n" % (branch.encode(), n))
                stream.append(b"committer %s %d +0000\n" % (AUTHOR.encode(), when + n))
                stream.append(_blob(f"{project.name}: commit {n}"))
                if n > 1:
                    stream.append(b"from :%d\n" % (n - 1))
                stream.append(b"M 100644 inline README.md\n")
                stream.append(_blob(f"# {project.name}\n\nCommit {n} of project {project.id}."))
                if n == project.commits and project.lfs:
                    files, attrs = self._lfs_files(project, project.lfs, project.lfs_missing)
                    stream.extend(files)
                    stream.append(b"M 100644 inline .gitattributes\n")
                    stream.append(_blob("".join(attrs)))
                if n == project.commits and gitlinks:
                    stream.append(b"M 100644 inline .gitmodules\n")
                    stream.append(_blob(self._gitmodules(project)))
                    for where, sha in gitlinks:
                        stream.append(b"M 160000 %s %s\n" % (sha.encode(), where.encode()))
            for i, extra in enumerate(project.branches, 1):
                stream.append(b"commit refs/heads/%s\n" % extra.encode())
                stream.append(b"committer %s %d +0000\n" % (AUTHOR.encode(), when + 100 + i))
                stream.append(_blob(f"work on {extra}"))
                stream.append(b"from :%d\n" % project.commits)
                stream.append(b"M 100644 inline %s.txt\n" % extra.replace("/", "_").encode())
                stream.append(_blob(f"branch {extra}"))
            for tag in project.tags:
                stream.append(b"reset refs/tags/%s\nfrom :%d\n" % (tag.encode(), project.commits))
            git("fast-import", "--quiet", cwd=tmp, data=b"".join(stream))
        os.rename(tmp, final)

    def _rev(self, repo, rev):
        try:
            return git("rev-parse", "--verify", "-q", f"{rev}^{{commit}}", cwd=repo)
        except RuntimeError:
            return None

    def push(self, project, branch, message, when, rewrite=False, lfs_files=None):
        """Add one commit to `branch` (made from the default branch if new).
        rewrite: replace the tip instead (a force-push; history diverges).
        lfs_files: {path: size} of LFS files the commit adds (their
        .gitattributes lines appended)."""
        repo = self.ensure(project)
        with self._lock(project):
            ref = f"refs/heads/{branch}"
            parent = self._rev(repo, ref) or self._rev(
                repo, f"refs/heads/{project.default_branch or branch}")
            if rewrite and parent:
                parent = self._rev(repo, f"{parent}^")
            stream = [b"reset %s\n" % ref.encode()] if parent is None else []
            stream += [b"commit %s\n" % ref.encode(),
                       b"committer %s %d +0000\n" % (AUTHOR.encode(), when),
                       _blob(message)]
            if parent:
                stream.append(b"from %s\n" % parent.encode())
            stream.append(b"M 100644 inline pushes/%d.txt\n" % when)
            stream.append(_blob(message))
            if lfs_files:
                files, attrs = self._lfs_files(project, lfs_files, salt=str(when))
                old = self._attributes(repo, parent)
                stream.extend(files)
                stream.append(b"M 100644 inline .gitattributes\n")
                stream.append(_blob(old + "".join(attrs)))
            git("fast-import", "--quiet", "--force", cwd=repo, data=b"".join(stream))
            if project.empty:
                git("symbolic-ref", "HEAD", ref, cwd=repo)
            return git("rev-parse", ref, cwd=repo)

    def _attributes(self, repo, rev):
        if rev is None:
            return ""
        try:
            return git("show", f"{rev}:.gitattributes", cwd=repo) + "\n"
        except RuntimeError:
            return ""

    def set_head(self, project, branch):
        repo = self.ensure(project)
        with self._lock(project):
            if self._rev(repo, f"refs/heads/{branch}") is None:
                raise ValueError(f"no branch {branch!r}")
            git("symbolic-ref", "HEAD", f"refs/heads/{branch}", cwd=repo)

    def create_branch(self, project, branch, rev):
        """refs/heads/<branch> at rev, unless it exists."""
        repo = self.ensure(project)
        with self._lock(project):
            sha = self._rev(repo, rev)
            if sha is None:
                raise ValueError(f"no commit {rev!r}")
            if self._rev(repo, f"refs/heads/{branch}") is None:
                git("update-ref", f"refs/heads/{branch}", sha, cwd=repo)

    def delete_branch(self, project, branch):
        repo = self.ensure(project)
        with self._lock(project):
            git("update-ref", "-d", f"refs/heads/{branch}", cwd=repo)

    def tag(self, project, name, rev=None):
        """Point refs/tags/<name> at rev (default: HEAD); None deletes it."""
        repo = self.ensure(project)
        with self._lock(project):
            if rev is None:
                git("update-ref", "-d", f"refs/tags/{name}", cwd=repo)
                return None
            sha = self._rev(repo, rev)
            if sha is None:
                raise ValueError(f"no commit {rev!r}")
            git("update-ref", f"refs/tags/{name}", sha, cwd=repo)
            return sha

    def delete(self, project):
        with self._lock(project):
            shutil.rmtree(self.path(project), ignore_errors=True)

    def refs(self, project, kind="heads"):
        """{branch or tag: sha} if the repository exists, else None."""
        repo = self.path(project)
        if not os.path.isdir(repo):
            return None
        out = git("for-each-ref", "--format=%(refname:short) %(objectname)", f"refs/{kind}",
                  cwd=repo)
        return dict(line.split(" ", 1) for line in out.splitlines() if line)
