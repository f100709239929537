"""Who the caller is: tokens of the API and of git over HTTP.

Token kinds (server options): personal (--token), administrator
(--admin-token), OAuth (--oauth-token), personal without the api/read_api
scopes (--no-read-api-token), and --forbidden-token (403 on everything).
"""
from .http import Response


def token_of(req):
    """(token, bearer): OAuth-style (Authorization: Bearer, access_token) or
    a private token (PRIVATE-TOKEN, private_token), as
    lib/gitlab/auth/auth_finders.rb reads them."""
    t = req.headers.get("PRIVATE-TOKEN")
    if t:
        return t.strip(), False
    auth = req.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), True
    if req.params.get("private_token"):
        return req.params["private_token"], False
    return req.params.get("access_token"), "access_token" in req.params


def personal_tokens(ctx):
    """Every token that works as a personal access token."""
    return ctx.tokens | ctx.admin_tokens | ctx.no_read_api_tokens


def git_token_valid(ctx, username, password):
    """lib/gitlab/auth.rb find_for_git_client: a personal access token with
    any user name (personal_access_token_check ignores the login), an OAuth
    token only as user `oauth2` (oauth_access_token_check)."""
    if password in personal_tokens(ctx):
        return True
    return password in ctx.oauth_tokens and username == "oauth2"


# lib/api/api_guard.rb: Gitlab::Auth::InsufficientScopeError becomes
# Rack::OAuth2's Bearer::Forbidden (no WWW-Authenticate); the scopes are those
# lib/api/api.rb allows for a GET (allow_access_with_scope :api, :read_api).
INSUFFICIENT_SCOPE = {
    "error": "insufficient_scope",
    "error_description": "The request requires higher privileges than provided by the "
                         "access token.",
    "scope": "api read_api"}


def authenticate(req, ctx, token, bearer):
    """None when the caller may go on (req.anonymous/admin set), else the
    error Response."""
    if token in ctx.forbidden:
        return Response(403, {"message": "403 Forbidden"})
    # auth_finders.rb: an OAuth token is looked up only from Bearer/access_token
    known = personal_tokens(ctx) | (ctx.oauth_tokens if bearer else set())
    if token not in known and not (token is None and ctx.anonymous):
        return Response(401, {"message": "401 Unauthorized"})
    if token in ctx.no_read_api_tokens:
        return Response(403, INSUFFICIENT_SCOPE)
    req.anonymous = token is None
    req.admin = token in ctx.admin_tokens
    return None
