/*
 * What glmirror says about itself: --help, written from the option table so
 * that it cannot miss an option or its environment variable, and --version.
 */
#include "options_help.h"

#include <git2/common.h>
#include <stdio.h>
#include <string.h>

#include "gitver.h"

/* Where the help texts start, and the width they wrap to. */
#define OPTIONS_HELP_COLUMN 29
#define OPTIONS_HELP_WIDTH  80

static const char options_help_intro[] =
	"Usage: glmirror [OPTION]... [DEST]\n"
	"Mirror a GitLab instance, or part of its group tree, into DEST and keep it\n"
	"current.\n";

static const char options_help_exit[] =
	"\n"
	"Exit status: 0 all done; 1 some groups or projects failed; 2 usage or\n"
	"configuration error; 3 authentication or connection failure before any work;\n"
	"130 interrupted.\n";

/* "  -u, --url URL", then the text with its variable, wrapped at word boundaries. */
static void options_help_row(const struct options_row *r)
{
	char text[512];
	const char *word;
	size_t len;
	int col, first = 1;

	if (r->letter != 0)
		col = printf("  -%c, --%s", r->letter, r->name);
	else
		col = printf("      --%s", r->name);
	if (r->arg != NULL)
		col += printf(" %s", r->arg);
	col += printf("%*s", col + 2 > OPTIONS_HELP_COLUMN ? 2 : OPTIONS_HELP_COLUMN - col, "");
	if (r->env != NULL)
		snprintf(text, sizeof(text), "%s (%s)", r->help, r->env);
	else
		snprintf(text, sizeof(text), "%s", r->help);
	for (word = text; *word != '\0'; word += len + (word[len] == ' ')) {
		len = strcspn(word, " ");
		if (!first && col + 1 + (int)len > OPTIONS_HELP_WIDTH)
			col = printf("\n%*s", OPTIONS_HELP_COLUMN, "") - 1;
		else if (!first)
			col += printf(" ");
		col += printf("%.*s", (int)len, word);
		first = 0;
	}
	putchar('\n');
}

int options_help_print(struct options_state *p, const char *what, const char *value, int from_env)
{
	size_t i;

	(void)what;
	(void)value;
	(void)from_env;
	fputs(options_help_intro, stdout);
	for (i = 0; i < options_table_len; i++) {
		if (options_table[i].heading != NULL && options_table[i].heading[0] != '\0')
			printf("\n%s:\n", options_table[i].heading);
		else if (options_table[i].heading != NULL)
			putchar('\n');
		options_help_row(&options_table[i]);
	}
	fputs(options_help_exit, stdout);
	p->exit_now = 1;
	return 0;
}

/* Which libgit2 runs, and whether it can clone shallow: tests and bug reports read it. */
int options_help_version(struct options_state *p, const char *what, const char *value, int from_env)
{
	int major = 0, minor = 0, rev = 0;

	(void)what;
	(void)value;
	(void)from_env;
	printf("glmirror %s\n", GLM_VERSION);
	git_libgit2_version(&major, &minor, &rev);
	printf("libgit2 %d.%d.%d, shallow clones (-o --depth): %s\n", major, minor, rev,
	       GITVER_HAVE_SHALLOW ? "yes" : "no, needs libgit2 1.7+");
	p->exit_now = 1;
	return 0;
}
