/*
 * The one place that asks which libgit2 glmirror is built with: every
 * feature that depends on its version is switched by a macro from here.
 */
#ifndef GLM_GITVER_H
#define GLM_GITVER_H

#include <git2/version.h>

/* libgit2 fetches shallow (git_fetch_options.depth) from 1.7 on. */
#if LIBGIT2_VER_MAJOR > 1 || (LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR >= 7)
#define GITVER_HAVE_SHALLOW 1
#else
#define GITVER_HAVE_SHALLOW 0
#endif

/* libgit2 1.8 moved git_error_set_str, which callbacks use to say why they refused. */
#if LIBGIT2_VER_MAJOR > 1 || (LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR >= 8)
#include <git2/sys/errors.h>
#endif

#endif
