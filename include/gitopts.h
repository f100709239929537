/*
 * -o/--git-options: the git clone options gitlabber passes to `git clone`,
 * mapped onto libgit2.  What the installed libgit2 cannot do is refused
 * before any work (GLM_EUSAGE), never silently ignored.
 */
#ifndef GLM_GITOPTS_H
#define GLM_GITOPTS_H

#include "options.h"

struct gitopts {
	int depth;	    /* --depth N; 0 = full history */
	int single_branch;  /* --single-branch */
	int no_tags;	    /* --no-tags */
	int no_checkout;    /* -n, --no-checkout */
	int recurse;	    /* --recurse-submodules, --recursive (like -r) */
	const char *branch; /* -b, --branch NAME; borrowed from opts */
};

/* Parses opts->git_options into out.  GLM_EUSAGE names the first option refused. */
int gitopts_parse(const struct options *opts, struct gitopts *out);
/* The same check, for the supervisor before the crawl. */
int gitopts_check(const struct options *opts);

#endif
