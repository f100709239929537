"""Token kinds as lib/gitlab/auth/auth_finders.rb and lib/gitlab/auth.rb
treat them: Bearer for every kind, OAuth tokens only as Bearer (and as git
user oauth2), tokens without read_api refused with insufficient_scope."""
import base64
import http.client

import pytest

OAUTH = "oauth-access-token-1"
NO_API = "glpat-read-repository-only"
ADMIN = "glpat-admin-1"


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    from fake import DEMO_SPEC, FakeGitLab
    f = FakeGitLab(spec=DEMO_SPEC, workdir=tmp_path_factory.mktemp("tokens"),
                   oauth_token=OAUTH, no_read_api_token=NO_API, admin_token=ADMIN)
    yield f
    f.stop()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_bearer_works_for_every_kind(fake):
    for token in (fake.token, OAUTH, ADMIN):
        assert fake.api("/user", token=None, headers=bearer(token))[0] == 200, token
    assert fake.api(f"/user?access_token={OAUTH}", token=None)[0] == 200
    assert fake.api("/user", token=None, headers=bearer("nope"))[0] == 401


def test_an_oauth_token_is_no_private_token(fake):
    assert fake.api("/user", token=OAUTH)[0::2] == (401, {"message": "401 Unauthorized"})
    assert fake.api(f"/user?private_token={OAUTH}", token=None)[0] == 401


def test_a_token_without_read_api_gets_insufficient_scope(fake):
    expected = (403, {"error": "insufficient_scope",
                      "error_description": "The request requires higher privileges than "
                                           "provided by the access token.",
                      "scope": "api read_api"})
    assert fake.api("/user", token=NO_API)[0::2] == expected
    assert fake.api("/groups", token=None, headers=bearer(NO_API))[0::2] == expected
    # unknown routes are still 404 (Grape routes first)
    assert fake.api("/nothing", token=NO_API)[0] == 404


def git_status(fake, user, password):
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    cred = base64.b64encode(f"{user}:{password}".encode()).decode()
    conn.request("GET", "/acme/website.git/info/refs?service=git-upload-pack",
                 headers={"Authorization": f"Basic {cred}"})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp.status


def test_git_user_names_per_token_kind(fake):
    assert git_status(fake, "oauth2", OAUTH) == 200
    assert git_status(fake, "gina", OAUTH) == 401
    for user in ("oauth2", "anyone"):
        for token in (fake.token, NO_API, ADMIN):
            assert git_status(fake, user, token) == 200, (user, token)
