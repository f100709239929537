"""GitLab's offset and keyset pagination.

Offset (Kaminari + Gitlab::Pagination::OffsetPagination): per_page default
20, clamped to 100; X-Page, X-Per-Page, X-Next-Page, X-Prev-Page (empty when
none), X-Total, X-Total-Pages (>= 1) and Link rel prev/next/first/last.  When a
collection has more than `totals_limit` records X-Total, X-Total-Pages and
rel="last" are omitted.  Project lists refuse page*per_page > `max_offset`
with 405.  Link URLs carry every request parameter (route `id` and defaults
included, like Grape's params) plus page and per_page, keys sorted as
Rails' to_query does.

Keyset: only `id_after`/`id_before` on the next link, no X-* headers, a link
whenever the page is non-empty.
"""
from urllib.parse import quote_plus

from .http import ApiError

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


class Config:
    totals_limit = 10000
    max_offset = 50000


def _per_page(req):
    n = req.integer("per_page", DEFAULT_PER_PAGE)
    if n < 1:
        n = DEFAULT_PER_PAGE
    return min(n, MAX_PER_PAGE)


def to_query(pairs):
    """Rails Hash#to_query: keys sorted, CGI-escaped."""
    return "&".join(f"{quote_plus(k, safe='[]')}={quote_plus(v)}"
                    for k, v in sorted(pairs, key=lambda kv: kv[0]))


def page_url(req, extra, overrides):
    """The request URL with defaults `extra` and the `overrides` applied."""
    params = dict(extra)
    for k, v in req.query:
        params[k] = v
    params.update(overrides)
    return f"{req.base}{req.raw_path}?{to_query(params.items())}"


def offset(req, items, cfg, extra=(), capped=False):
    """(page of items, headers).  `capped`: the collection holds Projects."""
    per_page = _per_page(req)
    page = req.integer("page", 1)
    if page < 1:
        page = 1
    req.page = page
    # GitLab checks the per_page asked for, before Kaminari clamps it
    asked = req.integer("per_page", DEFAULT_PER_PAGE)
    if capped and cfg.max_offset > 0 and page * asked > cfg.max_offset:
        raise ApiError(405, {"message": (
            f"Offset pagination has a maximum allowed offset of {cfg.max_offset} for "
            "requests that return objects of type Project. Remaining records can be "
            "retrieved using keyset pagination.")})
    total = len(items)
    pages = max(1, -(-total // per_page))
    start = (page - 1) * per_page
    chunk = items[start:start + per_page]
    has_next = start + per_page < total
    in_range = page <= pages
    next_page = page + 1 if has_next else None
    prev_page = page - 1 if page > 1 and in_range else None
    raw_per_page = req.params.get("per_page") or str(DEFAULT_PER_PAGE)
    extra = dict(extra)

    def url(p):
        return page_url(req, extra, {"page": str(p), "per_page": raw_per_page})
    links = []
    if prev_page:
        links.append(f'<{url(prev_page)}>; rel="prev"')
    if next_page:
        links.append(f'<{url(next_page)}>; rel="next"')
    links.append(f'<{url(1)}>; rel="first"')
    show_totals = total <= cfg.totals_limit
    if show_totals:
        links.append(f'<{url(pages)}>; rel="last"')
    headers = {"Link": ", ".join(links), "X-Page": str(page), "X-Per-Page": str(per_page),
               "X-Next-Page": str(next_page or ""), "X-Prev-Page": str(prev_page or "")}
    if show_totals:
        headers["X-Total"] = str(total)
        headers["X-Total-Pages"] = str(pages)
    return chunk, headers


def keyset(req, items, extra=()):
    """Keyset pagination by id; `items` in any order, already filtered by
    id_after/id_before."""
    per_page = _per_page(req)
    desc = req.params.get("sort", "asc") == "desc"
    chunk = sorted(items, key=lambda o: o.id, reverse=desc)[:per_page]
    headers = {}
    if chunk:
        key = "id_before" if desc else "id_after"
        over = {key: str(chunk[-1].id), "per_page": str(per_page)}
        params = dict(extra)
        params.update((k, v) for k, v in req.query if k not in ("id_after", "id_before"))
        params.update(over)
        headers["Link"] = f'<{req.base}{req.raw_path}?{to_query(params.items())}>; rel="next"'
    return chunk, headers


def keyset_refused():
    return ApiError(405, {"message": "Keyset pagination is not yet available for this type "
                                     "of request"})
