/*
 * Command line and environment: option, then environment variable, then
 * default.  gitlabber's options and variables keep their meaning; the rest
 * is documented in --help, glmirror.1 and README.md.  Which options there
 * are, and what each does, is options_table.c's; this file runs getopt_long
 * over the table, applies the environment, and checks the result.
 */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "error.h"
#include "keyring.h"
#include "log.h"
#include "options_set.h"
#include "options_table.h"

/* getopt_long answers a long option with this plus its row. */
#define OPTIONS_LONG_BASE 256

/* http(s)://host[:port][/prefix], without trailing slashes or a pasted /api/v4. */
static int normalize_url(char **url)
{
	char *u = *url, *host;
	size_t len;

	while (isspace((unsigned char)*u))
		u++;
	memmove(*url, u, strlen(u) + 1);
	u = *url;
	len = strlen(u);
	while (len > 0 && (isspace((unsigned char)u[len - 1]) || u[len - 1] == '/'))
		u[--len] = '\0';
	if (len >= 7 && strcmp(u + len - 7, "/api/v4") == 0)
		u[len -= 7] = '\0';
	if (strncasecmp(u, "https://", 8) == 0)
		host = u + 8;
	else if (strncasecmp(u, "http://", 7) == 0)
		host = u + 7;
	else
		return glm_error_set(GLM_EUSAGE,
				     "--url must start with https:// or http://, not '%s' "
				     "(e.g. --url https://gitlab.example.com)",
				     u);
	if (*host == '\0' || *host == '/' || *host == ':')
		return glm_error_set(GLM_EUSAGE, "--url '%s' has no host name", u);
	for (; *u != '\0'; u++)
		if ((unsigned char)*u <= ' ' || *u == '?' || *u == '#' || *u == '@')
			return glm_error_set(GLM_EUSAGE,
					     "--url must be the GitLab base URL without spaces, "
					     "query, fragment or user name");
	return 0;
}

static void options_defaults(struct options *o)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	memset(o, 0, sizeof(*o));
	o->print_format = PRINT_TREE;
	o->naming = NAMING_NAME;
	o->method = METHOD_SSH;
	o->archived = ARCHIVED_INCLUDE;
	o->progress = PROGRESS_AUTO;
	o->concurrency = cores < 1 ? 1 : cores > 128 ? 128 : (int)cores;
	o->api_concurrency = 5;
	o->api_timeout = 30;
	o->git_timeout = 300;
	o->prune_max = 10;
	o->git_retries = 3;
	o->api_retries = 5;
	o->max_body = 64LL << 20;
}

/* getopt_long's arrays, made from the table; shortopts starts with ':' to tell a missing value. */
static void options_getopt_arrays(struct option *longopts, char *shortopts)
{
	size_t i;

	*shortopts++ = ':';
	for (i = 0; i < options_table_len; i++) {
		const struct options_row *r = &options_table[i];

		longopts[i] =
			(struct option){ r->name, r->arg != NULL ? required_argument : no_argument,
					 NULL, OPTIONS_LONG_BASE + (int)i };
		if (r->letter != 0) {
			*shortopts++ = r->letter;
			if (r->arg != NULL)
				*shortopts++ = ':';
		}
	}
	longopts[i] = (struct option){ NULL, 0, NULL, 0 };
	*shortopts = '\0';
}

/* The row getopt_long's answer c stands for, or -1. */
static int options_row_of(int c)
{
	size_t i;

	if (c >= OPTIONS_LONG_BASE)
		return c - OPTIONS_LONG_BASE;
	for (i = 0; i < options_table_len; i++)
		if (options_table[i].letter == c)
			return (int)i;
	return -1;
}

/* Settings that gitlabber also reads from the environment, used when no option set them. */
static int options_environment(struct options_state *p)
{
	const char *v;
	size_t i;
	int err;

	for (i = 0; i < options_table_len; i++) {
		if (options_table[i].env == NULL || p->seen[i])
			continue;
		v = getenv(options_table[i].env);
		if (v != NULL && *v != '\0' && (err = options_set_row(p, i, v, 1)) < 0)
			return err;
	}
	return options_set_env_token(p);
}

/*
 * Normalizes the URL and, when neither an option nor the environment gave a
 * token, asks the keyring: gitlabber keys its entries by the URL as typed.
 */
static int options_url_and_keyring(struct options *o)
{
	char *typed, *t;
	size_t len;
	int err = 0;

	if (o->url == NULL)
		return 0;
	if ((typed = strdup(o->url)) == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	if (normalize_url(&o->url) < 0) {
		free(typed);
		return GLM_EUSAGE;
	}
	for (t = typed; isspace((unsigned char)*t); t++)
		;
	len = strlen(t);
	while (len > 0 && isspace((unsigned char)t[len - 1]))
		t[--len] = '\0';
	if (o->token == NULL && !o->store_token)
		err = keyring_lookup(&o->token, o->url, t);
	free(typed);
	return err;
}

static int options_check(struct options *o)
{
	if (o->store_token) {
		if (o->url == NULL)
			return glm_error_set(GLM_EUSAGE, "--store-token needs the GitLab URL: give "
							 "--url or set GITLAB_URL");
		return 0;
	}
	if (o->tree_file == NULL && o->url == NULL)
		return glm_error_set(GLM_EUSAGE,
				     "no GitLab URL: give --url https://gitlab.example.com "
				     "or set GITLAB_URL");
	if (o->tree_file == NULL && o->token == NULL)
		return glm_error_set(GLM_EUSAGE, "no token: give --token-file FILE, set "
						 "GITLAB_TOKEN, use --token, or store one in the "
						 "keyring with --store-token");
	if (o->dest == NULL && !o->print) {
		if (o->user_projects) {
			if (options_set_string(&o->dest, ".") < 0)
				return GLM_ENOMEM;
		} else {
			return glm_error_set(GLM_EUSAGE,
					     "no destination folder: give DEST, or -p to print "
					     "the tree only");
		}
	}
	if (o->mirror)
		o->use_fetch = 1;
	if (o->cacert != NULL && access(o->cacert, R_OK) < 0)
		return glm_error_errno(GLM_EUSAGE, errno, "--cacert '%s'", o->cacert);
	if (o->ssh_key != NULL && access(o->ssh_key, R_OK) < 0)
		return glm_error_errno(GLM_EUSAGE, errno, "--ssh-key '%s'", o->ssh_key);
	if (o->quiet && o->verbose)
		return glm_error_set(GLM_EUSAGE, "--quiet and --verbose contradict each other");
	return 0;
}

int options_parse(struct options *o, int argc, char **argv, int *exit_now)
{
	struct option longopts[OPTIONS_TABLE_MAX + 1];
	char shortopts[2 + 2 * OPTIONS_TABLE_MAX];
	struct options_state p = { .o = o };
	int c, row, err;

	*exit_now = 0;
	options_defaults(o);
	options_getopt_arrays(longopts, shortopts);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == ':')
			return glm_error_set(GLM_EUSAGE, "option '%s' needs a value",
					     argv[optind - 1]);
		if ((row = options_row_of(c)) < 0)
			return glm_error_set(GLM_EUSAGE, "unknown option '%s'", argv[optind - 1]);
		p.seen[row] = 1;
		if ((err = options_set_row(&p, (size_t)row, optarg, 0)) < 0)
			return err;
		if (p.exit_now) {
			*exit_now = 1;
			return 0;
		}
	}
	if (optind < argc) {
		size_t len;

		if (argc - optind > 1)
			return glm_error_set(GLM_EUSAGE, "one destination folder only, not '%s'",
					     argv[optind + 1]);
		if (options_set_string(&o->dest, argv[optind]) < 0)
			return GLM_ENOMEM;
		len = strlen(o->dest);
		while (len > 1 && o->dest[len - 1] == '/')
			o->dest[--len] = '\0';
	}
	if (p.token_file != NULL && o->token == NULL &&
	    options_set_read_token_file(p.token_file, &o->token) < 0)
		return GLM_EUSAGE;
	if (options_environment(&p) < 0)
		return GLM_EUSAGE;
	if (options_url_and_keyring(o) < 0)
		return GLM_EUSAGE;
	if (o->token != NULL)
		log_add_secret(o->token);
	if (options_check(o) < 0)
		return GLM_EUSAGE;
	if (p.token_in_argv && !o->quiet)
		log_warn("--token puts the token in the process list; prefer --token-file or "
			 "GITLAB_TOKEN");
	if (o->insecure)
		log_warn("--insecure: TLS certificates are not verified");
	return 0;
}

static void free_list(char **items, size_t n)
{
	while (n > 0)
		free(items[--n]);
}

void options_release(struct options *o)
{
	if (o->token != NULL)
		explicit_bzero(o->token, strlen(o->token));
	free(o->token);
	free(o->url);
	free(o->dest);
	free(o->tree_file);
	free(o->tree_out);
	free(o->report);
	free(o->metrics);
	free(o->cacert);
	free(o->ssh_key);
	free(o->group_search);
	free_list(o->groups, o->ngroups);
	free_list(o->includes, o->nincludes);
	free_list(o->excludes, o->nexcludes);
	free_list(o->git_options, o->ngit_options);
	memset(o, 0, sizeof(*o));
}
