"""Git LFS objects of the fake's repositories: pointer files and the object store."""
import hashlib
import os
import threading


def pointer(data):
    """The pointer file of content `data` (Git LFS spec docs/spec.md) and its oid."""
    oid = hashlib.sha256(data).hexdigest()
    text = f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(data)}\n"
    return text.encode(), oid


def store(root, data):
    """Keeps an object under root (one file per oid), written then renamed."""
    _, oid = pointer(data)
    os.makedirs(root, exist_ok=True)
    final = os.path.join(root, oid)
    if not os.path.exists(final):
        tmp = f"{final}.tmp{threading.get_ident()}"
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, final)
    return oid
