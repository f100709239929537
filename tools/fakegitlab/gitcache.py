"""--git-cache: answers of `git upload-pack` kept and served again, as
GitLab's Gitaly does with its info/refs and pack-objects caches.

Off by default, so tests exercise git on every request.  The benchmarks
turn it on (and warm it before measuring) so that the fake server, which
shares the machine's CPUs with the client under test, costs little next to
the client.  An entry is keyed by the repository, a fingerprint of its refs
(HEAD, packed-refs and every loose ref: path, inode, size, mtime), the
protocol version and a hash of the request body, so any change of a ref,
however made, misses the cache.  Bounded by total bytes, least recently
used first out.
"""
import collections
import hashlib
import os
import threading


def refs_fingerprint(repo):
    """What changes whenever a ref of the bare repository repo changes."""
    h = hashlib.sha256()
    names = [os.path.join(repo, "HEAD"), os.path.join(repo, "packed-refs")]
    for top, dirs, files in os.walk(os.path.join(repo, "refs")):
        dirs.sort()
        names += [os.path.join(top, f) for f in sorted(files)]
    for name in names:
        try:
            st = os.stat(name)
        except FileNotFoundError:
            continue
        h.update(f"{name}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


class GitCache:
    def __init__(self, max_bytes=256 << 20):
        self.max_bytes = max_bytes
        self.lock = threading.Lock()
        self.entries = collections.OrderedDict()  # key -> bytes
        self.size = 0
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(repo, protocol, advertise, body):
        return (repo, refs_fingerprint(repo), protocol, advertise,
                hashlib.sha256(body).hexdigest())

    def get(self, key):
        with self.lock:
            out = self.entries.get(key)
            if out is None:
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
            return out

    def put(self, key, out):
        if len(out) > self.max_bytes:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old)
            self.entries[key] = out
            self.size += len(out)
            while self.size > self.max_bytes:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped)

    def snapshot(self):
        with self.lock:
            return {"hits": self.hits, "misses": self.misses, "entries": len(self.entries),
                    "bytes": self.size}
