"""A fake GitLab (REST API v4 + git smart HTTP) for glmirror's tests.

Modules, one role each:
  model      groups, projects, the user; lookups and mutations
  spec       the JSON spec format (documented there)
  generator  deterministic large trees from "groups=10,subgroups=5,..."
  render     GitLab's JSON shapes
  pagination offset and keyset pagination headers
  routes     the API routes
  repos      lazily created bare repositories
  githttp    git smart HTTP: `git upload-pack --stateless-rpc`, as Gitaly
  gitcache   --git-cache: upload-pack answers kept while the refs are unchanged
  ratelimit  fixed-window rate limiting with GitLab's headers
  faults     random faults and scripted overrides
  stats      request statistics
  control    the /_fake/ control endpoints
  server     the HTTP server and the command line
"""
