/* -o/--git-options (gitopts.h). */
#include "gitopts.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "gitver.h"

/* "--name=value", or "--name" / "-s" followed by the value as the next item. */
static const char *gitopts_value(const struct options *opts, size_t *i, const char *longname,
				 const char *shortname)
{
	const char *item = opts->git_options[*i];
	size_t len = strlen(longname);

	if (strncmp(item, longname, len) == 0 && item[len] == '=')
		return item + len + 1;
	if (strcmp(item, longname) == 0 || (shortname != NULL && strcmp(item, shortname) == 0)) {
		if (*i + 1 >= opts->ngit_options)
			return "";
		return opts->git_options[++*i];
	}
	return NULL;
}

static int gitopts_is(const char *item, const char *a, const char *b)
{
	return strcmp(item, a) == 0 || (b != NULL && strcmp(item, b) == 0);
}

int gitopts_parse(const struct options *opts, struct gitopts *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < opts->ngit_options; i++) {
		const char *item = opts->git_options[i], *v;

		if ((v = gitopts_value(opts, &i, "--depth", NULL)) != NULL) {
			char *end;
			long n = strtol(v, &end, 10);

			if (*v == '\0' || *end != '\0' || n < 1 || n > 1000000)
				return glm_error_set(GLM_EUSAGE,
						     "git option --depth needs a positive number, "
						     "not '%s'",
						     v);
			if (!GITVER_HAVE_SHALLOW)
				return glm_error_set(
					GLM_EUSAGE,
					"git option '--depth' is not supported by "
					"glmirror with libgit2 %s (shallow clones need "
					"libgit2 1.7 or later)",
					LIBGIT2_VERSION);
			if (opts->mirror)
				return glm_error_set(GLM_EUSAGE,
						     "git option --depth cannot go with --mirror "
						     "(a shallow mirror is not a mirror)");
			out->depth = (int)n;
			out->single_branch = 1; /* as git clone --depth implies */
		} else if ((v = gitopts_value(opts, &i, "--branch", "-b")) != NULL) {
			if (*v == '\0' || *v == '-')
				return glm_error_set(GLM_EUSAGE,
						     "git option --branch needs a name");
			out->branch = v;
		} else if (gitopts_is(item, "--single-branch", NULL)) {
			out->single_branch = 1;
		} else if (gitopts_is(item, "--no-single-branch", NULL)) {
			out->single_branch = 0;
		} else if (gitopts_is(item, "--no-tags", NULL)) {
			out->no_tags = 1;
		} else if (gitopts_is(item, "--no-checkout", "-n")) {
			out->no_checkout = 1;
		} else if (gitopts_is(item, "--recurse-submodules", "--recursive")) {
			out->recurse = 1;
		} else if (gitopts_is(item, "--quiet", "-q") ||
			   gitopts_is(item, "--progress", NULL) ||
			   gitopts_is(item, "--verbose", "-v")) {
			/* Only about git's own output, which glmirror replaces. */
		} else {
			return glm_error_set(GLM_EUSAGE,
					     "git option '%s' is not supported by glmirror "
					     "(supported: --depth%s, --single-branch, --branch, "
					     "--no-tags, --no-checkout, --recurse-submodules)",
					     item, GITVER_HAVE_SHALLOW ? "" : " with libgit2 1.7+");
		}
	}
	return 0;
}

int gitopts_check(const struct options *opts)
{
	struct gitopts g;

	return gitopts_parse(opts, &g);
}
