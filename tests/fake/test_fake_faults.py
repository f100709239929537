"""Random faults (--faults, /_fake/faults) and scripted overrides."""
import gzip
import http.client
import json
import zlib
import socket
import threading

import pytest
from fake import link_rels


def raw_get(fake, path):
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=20)
    conn.request("GET", path, headers={"PRIVATE-TOKEN": fake.token})
    return conn, conn.getresponse()


def test_5xx(start_fake):
    fake = start_fake(faults="5xx=1", seed=1)
    statuses = {fake.api("/version")[0] for _ in range(12)}
    assert statuses <= {500, 502, 503} and len(statuses) > 1
    # control and git routes never fail
    assert fake.truth()["user"]["username"] == "alice"


def test_reset_truncate_badjson_slow(start_fake):
    fake = start_fake(faults="reset=1", slow_ms=300)
    with pytest.raises((ConnectionError, http.client.HTTPException, socket.error)):
        raw_get(fake, "/api/v4/version")
    fake.control("faults", truncate=1)
    conn, resp = raw_get(fake, "/api/v4/version")
    assert resp.status == 200
    with pytest.raises(http.client.IncompleteRead):
        resp.read()
    fake.control("faults", badjson=1)
    status, _, data = fake.request("GET", "/api/v4/version",
                                   headers={"PRIVATE-TOKEN": fake.token})
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(data)
    fake.control("faults", slow=1)
    status, _, v = fake.api("/version")
    assert status == 200 and v["version"]
    fake.control("faults")
    assert fake.api("/version")[0] == 200


def test_faults_are_deterministic_with_a_seed(start_fake):
    def run():
        fake = start_fake(faults="5xx=0.5", seed=42)
        return [fake.api("/version")[0] for _ in range(20)]
    a, b = run(), run()
    assert a == b and 200 in a and len(set(a)) > 1


def test_item_patch_makes_hostile_paths(start_fake):
    fake = start_fake(generate="groups=1,subgroups=0,depth=0,projects=3")
    fake.control("override", path_regex=r"^/api/v4/groups/[^/]+/projects",
                 item_patch={"path": "../../etc", "namespace": {"full_path": "a\u0000b"},
                             "http_url_to_repo": "file:///etc/passwd"},
                 item_match={"path": "project-2"})
    _, _, items = fake.api("/groups/group-0/projects")
    bad = next(p for p in items if p["id"] == 2)
    assert bad["path"] == "../../etc" and bad["namespace"]["full_path"] == "a\x00b"
    assert bad["http_url_to_repo"] == "file:///etc/passwd"
    good = next(p for p in items if p["id"] == 1)
    assert good["path"] == "project-1"
    fake.control("clear_overrides")
    fake.control("override", path_regex=r"^/api/v4/groups\b", times=1,
                 item_patch={"full_path": "x\u0000y"})
    assert fake.api("/groups")[2][0]["full_path"] == "x\x00y"
    assert fake.api("/groups")[2][0]["full_path"] == "group-0"


def test_foreign_link_and_endless_pagination(start_fake):
    fake = start_fake(generate="groups=1,subgroups=0,depth=0,projects=3")
    fake.control("override", path_regex=r"^/api/v4/groups\?", headers={
        "Link": '<http://evil.example:9/api/v4/groups?page=2>; rel="next"'})
    assert link_rels(fake.api("/groups?page=1")[1]["link"])["next"].startswith(
        "http://evil.example:9/")
    fake.control("clear_overrides")
    fake.control("override", path_regex=r"^/api/v4/projects", headers={
        "X-Next-Page": "{next_page}", "X-Total": None, "X-Total-Pages": None,
        "Link": '<{base}{path}?page={next_page}&per_page={per_page}>; rel="next"'})
    for page in (1, 7, 5000):
        status, h, items = fake.api(f"/projects?page={page}&per_page=2")
        assert h["x-next-page"] == str(page + 1) and "x-total" not in h
        assert link_rels(h["link"])["next"] == \
            f"{fake.url}/api/v4/projects?page={page + 1}&per_page=2"


def test_replacing_answers(start_fake):
    fake = start_fake(generate="groups=1,subgroups=0,depth=0,projects=30")
    fake.control("override", path_regex=r"/projects\?.*\bpage=2\b", status=502, times=1,
                 body="<html>502 Bad Gateway</html>")
    assert fake.api("/groups/group-0/projects?page=1")[0] == 200
    assert fake.api("/groups/group-0/projects?page=2")[0] == 502
    assert fake.api("/groups/group-0/projects?page=2")[0] == 200
    fake.control("override", path_regex="^/api/v4/user$", status=429, times=1,
                 headers={"Retry-After": "1"}, body="Retry later\n")
    status, h, _ = fake.api("/user")
    assert status == 429 and h["retry-after"] == "1"
    assert fake.api("/user")[0] == 200
    deep = "[" * 100000 + "]" * 100000
    fake.control("override", path_regex="^/api/v4/version", body=deep, times=1)
    status, _, data = fake.request("GET", "/api/v4/version",
                                   headers={"PRIVATE-TOKEN": fake.token})
    assert data.decode() == deep
    fake.control("override", path_regex="^/api/v4/groups/1$", body={"id": 1, "x": [1]},
                 method="GET")
    assert fake.api("/groups/1")[2] == {"id": 1, "x": [1]}


def test_huge_body_is_streamed(start_fake):
    fake = start_fake()
    size = 200 * 1024 * 1024
    fake.control("override", path_regex="^/api/v4/projects", body_repeat={
        "prefix": "[", "chunk": "1" * 1024, "count": size // 1024 - 1, "suffix": "]"})
    conn, resp = raw_get(fake, "/api/v4/projects")
    assert int(resp.getheader("Content-Length")) == 2 + size - 1024
    first = resp.read(1 << 20)
    assert first.startswith(b"[111")
    conn.close()  # the client may give up early; the server survives
    assert fake.api("/version")[0] == 200


def test_delay_stall_and_fault_overrides(start_fake):
    fake = start_fake()
    fake.control("override", path_regex="^/api/v4/user$", stall_ms=200, delay_ms=50, times=1)
    status, _, me = fake.api("/user")
    assert status == 200 and me["username"] == "alice"
    fake.control("override", path_regex="^/api/v4/user$", fault="reset", times=1)
    with pytest.raises((ConnectionError, http.client.HTTPException, socket.error)):
        raw_get(fake, "/api/v4/user")
    assert fake.api("/user")[0] == 200
    with pytest.raises(RuntimeError):
        fake.control("override", path_regex="(", status=500)
    with pytest.raises(RuntimeError):
        fake.control("override", path_regex="x", bogus=1)


def test_concurrency_is_recorded(start_fake):
    fake = start_fake()
    fake.control("override", path_regex="^/api/v4/version", delay_ms=1000)
    barrier = threading.Barrier(4)
    results = []

    def worker():
        barrier.wait()
        conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=20)
        conn.request("GET", "/api/v4/version", headers={"PRIVATE-TOKEN": fake.token})
        results.append(conn.getresponse().status)
        conn.close()
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [200] * 4
    assert fake.stats()["max_in_flight"] >= 2


def test_gzip_answers_and_gzip_bomb(start_fake):
    fake = start_fake(gzip=True, generate="groups=1,subgroups=0,depth=0,projects=3")
    status, h, data = fake.request("GET", "/api/v4/projects", headers={
        "PRIVATE-TOKEN": fake.token, "Accept-Encoding": "gzip, deflate"})
    assert h["content-encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(data))) == 5  # with 2 personal projects
    status, h, items = fake.api("/projects")
    assert "content-encoding" not in h and len(items) == 5
    size = 20 * 1024 * 1024
    fake.control("override", path_regex="^/api/v4/version", gzip=True,
                 body_repeat={"prefix": "[", "chunk": "0," * 512, "count": size // 1024,
                              "suffix": "0]"})
    status, h, data = fake.request("GET", "/api/v4/version", headers={
        "PRIVATE-TOKEN": fake.token, "Accept-Encoding": "gzip"})
    assert status == 200 and len(data) < size // 100
    d = zlib.decompressobj(31)
    assert len(d.decompress(data)) + len(d.flush()) == size + 3


def test_chunked_answers(start_fake):
    fake = start_fake()
    fake.control("override", path_regex="^/api/v4/user$", chunked=True, times=1)
    conn, resp = raw_get(fake, "/api/v4/user")
    assert resp.getheader("Transfer-Encoding") == "chunked"
    assert resp.getheader("Content-Length") is None
    assert json.loads(resp.read())["username"] == "alice"
    # a body that never ends (10 TB announced nowhere): the client decides when to stop
    fake.control("override", path_regex="^/api/v4/projects", chunked=True,
                 body_repeat={"chunk": "x" * 4096, "count": 10 ** 10 // 4})
    conn, resp = raw_get(fake, "/api/v4/projects")
    assert len(resp.read(5 << 20)) == 5 << 20
    conn.close()
    fake.control("override", path_regex="^/api/v4/version", chunked=True, fault="truncate")
    conn, resp = raw_get(fake, "/api/v4/version")
    with pytest.raises(http.client.IncompleteRead):
        resp.read()
