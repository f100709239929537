/*
 * Command line and environment: option, then environment variable, then
 * default.  gitlabber's options and variables keep their meaning; the rest
 * is documented in --help, glmirror.1 and README.md.
 */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <git2/common.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "error.h"
#include "gitver.h"
#include "keyring.h"
#include "log.h"

enum {
	OPT_PRINT_FORMAT = 256,
	OPT_API_CONCURRENCY,
	OPT_MIRROR,
	OPT_EXCLUDE_SHARED,
	OPT_FAIL_FAST,
	OPT_VERBOSE,
	OPT_VERSION,
	OPT_GROUP,
	OPT_TOKEN_FILE,
	OPT_API_RATE_LIMIT,
	OPT_API_TIMEOUT,
	OPT_API_RETRIES,
	OPT_TREE_OUT,
	OPT_REPORT,
	OPT_CACERT,
	OPT_INSECURE,
	OPT_PROGRESS,
	OPT_DRY_RUN,
	OPT_SHARD,
	OPT_SSH_KEY,
	OPT_SSH_ACCEPT_NEW,
	OPT_MAX_RESPONSE,
	OPT_GIT_TIMEOUT,
	OPT_FORCE_TAGS,
	OPT_SCOPE,
	OPT_DELETION_SCHEDULED,
	OPT_STORE_TOKEN,
	OPT_PRUNE,
	OPT_PRUNE_MAX,
	OPT_GIT_RETRIES,
	OPT_API_ENDPOINT_LIMITS,
	OPT_METRICS,
	OPT_LOG_FORMAT,
	OPT_NO_LFS,
	OPT_LAST, /* sizes the set of options seen */
};

static const struct option long_options[] = {
	{ "token", required_argument, NULL, 't' },
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
	{ "hide-token", no_argument, NULL, 'T' },
	{ "store-token", no_argument, NULL, OPT_STORE_TOKEN },
	{ "url", required_argument, NULL, 'u' },
	{ "print", no_argument, NULL, 'p' },
	{ "print-format", required_argument, NULL, OPT_PRINT_FORMAT },
	{ "naming", required_argument, NULL, 'n' },
	{ "method", required_argument, NULL, 'm' },
	{ "archived", required_argument, NULL, 'a' },
	{ "include", required_argument, NULL, 'i' },
	{ "exclude", required_argument, NULL, 'x' },
	{ "concurrency", required_argument, NULL, 'c' },
	{ "api-concurrency", required_argument, NULL, OPT_API_CONCURRENCY },
	{ "recursive", no_argument, NULL, 'r' },
	{ "use-fetch", no_argument, NULL, 'F' },
	{ "mirror", no_argument, NULL, OPT_MIRROR },
	{ "force-tags", no_argument, NULL, OPT_FORCE_TAGS },
	{ "include-shared", no_argument, NULL, 's' },
	{ "exclude-shared", no_argument, NULL, OPT_EXCLUDE_SHARED },
	{ "group-search", required_argument, NULL, 'g' },
	{ "user-projects", no_argument, NULL, 'U' },
	{ "git-options", required_argument, NULL, 'o' },
	{ "file", required_argument, NULL, 'f' },
	{ "fail-fast", no_argument, NULL, OPT_FAIL_FAST },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "api-rate-limit", required_argument, NULL, OPT_API_RATE_LIMIT },
	{ "api-timeout", required_argument, NULL, OPT_API_TIMEOUT },
	{ "api-retries", required_argument, NULL, OPT_API_RETRIES },
	{ "tree-out", required_argument, NULL, OPT_TREE_OUT },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "ssh-key", required_argument, NULL, OPT_SSH_KEY },
	{ "ssh-accept-new", no_argument, NULL, OPT_SSH_ACCEPT_NEW },
	{ "max-response-size", required_argument, NULL, OPT_MAX_RESPONSE },
	{ "git-timeout", required_argument, NULL, OPT_GIT_TIMEOUT },
	{ "scope", required_argument, NULL, OPT_SCOPE },
	{ "include-deletion-scheduled", no_argument, NULL, OPT_DELETION_SCHEDULED },
	{ "git-retries", required_argument, NULL, OPT_GIT_RETRIES },
	{ "prune", no_argument, NULL, OPT_PRUNE },
	{ "prune-max", required_argument, NULL, OPT_PRUNE_MAX },
	{ "api-endpoint-limits", required_argument, NULL, OPT_API_ENDPOINT_LIMITS },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "no-lfs", no_argument, NULL, OPT_NO_LFS },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
	"Usage: glmirror [OPTION]... [DEST]\n"
	"Mirror a GitLab instance, or part of its group tree, into DEST and keep it current.\n"
	"\n"
	"Where to read from:\n"
	"  -u, --url URL              GitLab base URL, e.g. https://gitlab.example.com "
	"(GITLAB_URL)\n"
	"  -t, --token TOKEN          access token with read_api and read_repository "
	"(GITLAB_TOKEN);\n"
	"                             visible in the process list: prefer --token-file\n"
	"      --token-file FILE      read the token from FILE (GITLAB_TOKEN_FILE)\n"
	"      --store-token          store the token of -t, --token-file or typed (no echo)\n"
	"                             in the desktop keyring for --url, and exit; runs with\n"
	"                             no token take it from there (also gitlabber's)\n"
	"  -T, --hide-token           accepted for gitlabber; the token stays out of .git/config\n"
	"      --cacert FILE          trust the CA certificates in FILE\n"
	"      --insecure             do not verify TLS certificates (dangerous)\n"
	"\n"
	"What to mirror:\n"
	"      --group PATH|ID        crawl only this group's subtree (repeatable)\n"
	"  -g, --group-search TERM    only groups whose name or path contains TERM\n"
	"  -U, --user-projects        the token owner's personal projects\n"
	"      --scope SCOPE          listed: the groups GitLab lists for the token (default,\n"
	"                             as gitlabber); all: everything the token can see;\n"
	"                             member: only groups and projects the token is a member of\n"
	"  -i, --include PATTERNS     keep only paths matching these comma-separated patterns\n"
	"                             (GITLABBER_INCLUDE); '*', '**', '?', '[..]', '{regex}'\n"
	"  -x, --exclude PATTERNS     drop paths matching these patterns (GITLABBER_EXCLUDE)\n"
	"  -a, --archived MODE        include, exclude or only archived projects (default "
	"include)\n"
	"      --include-deletion-scheduled  also mirror projects GitLab has marked for "
	"deletion\n"
	"  -s, --include-shared       also mirror projects shared into a group, under that group\n"
	"      --exclude-shared       do not mirror shared projects (the default)\n"
	"  -f, --file FILE            read the tree from FILE (written by --tree-out or -p\n"
	"                             --print-format json) instead of crawling\n"
	"\n"
	"How to lay out and sync:\n"
	"  -n, --naming MODE          name folders by GitLab 'name' or 'path' (default name)\n"
	"                             (GITLABBER_FOLDER_NAMING)\n"
	"  -m, --method METHOD        clone over 'ssh' or 'http' (default ssh)\n"
	"                             (GITLABBER_CLONE_METHOD)\n"
	"  -c, --concurrency N        sync N repositories at once, 1..128 (default: CPU cores)\n"
	"                             (GITLABBER_GIT_CONCURRENCY)\n"
	"  -r, --recursive            clone and update submodules\n"
	"  -F, --use-fetch            update existing checkouts by fetch only\n"
	"      --mirror               bare mirror repositories with all refs, pruned on update\n"
	"      --force-tags           checkouts take every tag, moved ones too (mirrors always "
	"do)\n"
	"  -o, --git-options OPTS     comma-separated git clone options (e.g. --depth=1)\n"
	"      --ssh-key FILE         private key for -m ssh (default: ssh-agent, else\n"
	"                             ~/.ssh/id_ed25519, id_ecdsa, id_rsa)\n"
	"      --ssh-accept-new       accept and record unknown SSH host keys\n"
	"      --git-timeout SECONDS  give up a repository when its git server accepts or\n"
	"                             sends nothing for SECONDS over HTTP (default 300)\n"
	"      --git-retries N        retries of a clone or fetch that failed for a transient\n"
	"                             reason (5xx, 429, reset, timeout), 0..20 (default 3)\n"
	"      --prune                move orphans (folders of projects no longer in the tree)\n"
	"                             without local work to DEST/.glmirror-trash/<UTC time>/\n"
	"      --prune-max PERCENT    prune nothing, and exit 1, when more than PERCENT of the\n"
	"                             mirror would be pruned (default 10)\n"
	"      --dry-run              say what would be cloned, updated or skipped; change "
	"nothing\n"
	"      --shard K/N            sync only shard K (0..N-1) of N, by a stable hash of the "
	"path\n"
	"      --no-lfs               leave Git LFS pointer files, do not download their content\n"
	"\n"
	"Output:\n"
	"  -p, --print                print the tree and do not sync\n"
	"      --print-format FORMAT  tree, json or yaml (default tree)\n"
	"      --tree-out FILE        write the tree file (JSON) to FILE\n"
	"      --report FILE          write a JSON report with one record per project\n"
	"      --progress WHEN        auto, always or never draw progress on stderr (default "
	"auto)\n"
	"      --verbose              log each API request and git action\n"
	"  -q, --quiet                print errors only\n"
	"\n"
	"API behaviour:\n"
	"      --api-concurrency N    API requests in flight at most, 1..64 (default 5)\n"
	"                             (GITLABBER_API_CONCURRENCY)\n"
	"      --api-rate-limit RATE  requests per hour, or N/s, N/min, N/h\n"
	"                             (GITLABBER_API_RATE_LIMIT; default: adapt to the\n"
	"                             server's RateLimit headers)\n"
	"      --api-timeout SECONDS  time limit of one API request (default 30)\n"
	"      --api-retries N        retries of a failed request, 0..20 (default 5)\n"
	"      --max-response-size N  largest API answer in bytes; K, M, G suffixes (default 64M)\n"
	"      --fail-fast            stop at the first failure\n"
	"      --api-endpoint-limits MODE  per-endpoint budgets: auto (GitLab.com's published\n"
	"                             ones for gitlab.com, else learned from 429s), gitlab.com\n"
	"                             or learn (default auto)\n"
	"\n"
	"Operations:\n"
	"      --metrics FILE         write the run's metrics to FILE (Prometheus text format,\n"
	"                             for node_exporter's textfile collector), even on failure\n"
	"      --log-format FORMAT    text or json: one JSON object per line on stderr\n"
	"                             (default text)\n"
	"\n"
	"  -h, --help                 show this help and exit\n"
	"      --version              show the version and exit\n"
	"\n"
	"Exit status: 0 all done; 1 some groups or projects failed; 2 usage or configuration\n"
	"error; 3 authentication or connection failure before any work; 130 interrupted.\n";

static int opt_dup(char **field, const char *value)
{
	char *copy = strdup(value);

	if (copy == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	free(*field);
	*field = copy;
	return 0;
}

static int parse_int(const char *what, const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return glm_error_set(GLM_EUSAGE,
				     "%s must be a whole number from %d to %d, not '%s'", what, lo,
				     hi, s);
	*out = (int)v;
	return 0;
}

/* Matches value case-insensitively against names[]; *out is the index. */
static int parse_choice(const char *what, const char *value, const char *const *names, int n,
			int *out)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcasecmp(value, names[i]) == 0) {
			*out = i;
			return 0;
		}
	if (n == 2)
		return glm_error_set(GLM_EUSAGE, "%s must be '%s' or '%s', not '%s'", what,
				     names[0], names[1], value);
	return glm_error_set(GLM_EUSAGE, "%s must be '%s', '%s' or '%s', not '%s'", what, names[0],
			     names[1], names[2], value);
}

/* Splits a comma-separated list, trims each item and drops empty ones (as gitlabber). */
static int split_csv(const char *what, const char *csv, char **items, size_t *n)
{
	const char *p = csv;

	while (*n > 0)
		free(items[--(*n)]);
	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *s = p;

		while (len > 0 && isspace((unsigned char)*s)) {
			s++;
			len--;
		}
		while (len > 0 && isspace((unsigned char)s[len - 1]))
			len--;
		if (len > 0) {
			if (*n == OPT_MAX_LIST)
				return glm_error_set(GLM_EUSAGE, "%s: more than %d items", what,
						     OPT_MAX_LIST);
			if ((items[*n] = strndup(s, len)) == NULL)
				return glm_error_set(GLM_ENOMEM, "out of memory");
			(*n)++;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	return 0;
}

/*
 * -o: like gitlabber, the comma-separated items are joined with spaces and
 * split again like a shell would (quotes group, backslash escapes).
 */
static int split_git_options(const char *value, char **items, size_t *n)
{
	char *word = malloc(strlen(value) + 1);
	const char *p;
	size_t w = 0;
	int in_word = 0, rc = 0;
	char quote = 0;

	if (word == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	while (*n > 0)
		free(items[--(*n)]);
	for (p = value;; p++) {
		char c = *p;

		if (c == '\0' || (!quote && (c == ',' || isspace((unsigned char)c)))) {
			if (quote && c == '\0') {
				rc = glm_error_set(GLM_EUSAGE,
						   "--git-options: unclosed quote in '%s'", value);
				break;
			}
			if (in_word) {
				if (*n == OPT_MAX_LIST) {
					rc = glm_error_set(GLM_EUSAGE, "--git-options: too many");
					break;
				}
				word[w] = '\0';
				if ((items[(*n)++] = strdup(word)) == NULL) {
					rc = glm_error_set(GLM_ENOMEM, "out of memory");
					break;
				}
			}
			w = 0;
			in_word = 0;
			if (c == '\0')
				break;
			continue;
		}
		in_word = 1;
		if (quote && c == quote) {
			quote = 0;
		} else if (!quote && (c == '\'' || c == '"')) {
			quote = c;
		} else if (c == '\\' && quote != '\'' && p[1] != '\0') {
			word[w++] = *++p;
		} else {
			word[w++] = c;
		}
	}
	free(word);
	return rc;
}

/* "N" = per hour (gitlabber's unit), or "N/s", "N/min", "N/h". */
static int parse_rate(const char *what, const char *value, double *per_second)
{
	char *end;
	double n;

	errno = 0;
	n = strtod(value, &end);
	if (errno != 0 || end == value || n <= 0)
		goto bad;
	if (*end == '\0' || strcmp(end, "/h") == 0 || strcmp(end, "/hour") == 0)
		*per_second = n / 3600.0;
	else if (strcmp(end, "/min") == 0 || strcmp(end, "/m") == 0)
		*per_second = n / 60.0;
	else if (strcmp(end, "/s") == 0 || strcmp(end, "/sec") == 0)
		*per_second = n;
	else
		goto bad;
	return 0;
bad:
	return glm_error_set(GLM_EUSAGE,
			     "%s must be a positive number of requests per hour, "
			     "or N/s, N/min, N/h; not '%s'",
			     what, value);
}

static int parse_size(const char *value, long long *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(value, &end, 10);
	if (errno != 0 || end == value || n <= 0)
		goto bad;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		n <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		n <<= 20;
		end++;
		break;
	case 'g':
	case 'G':
		n <<= 30;
		end++;
		break;
	default:
		goto bad;
	}
	if (*end != '\0' || n < 1024 || n > (4LL << 30))
		goto bad;
	*out = n;
	return 0;
bad:
	return glm_error_set(
		GLM_EUSAGE, "--max-response-size must be a size from 1K to 4G (e.g. 64M), not '%s'",
		value);
}

static int parse_shard(const char *value, int *k, int *n)
{
	char *end;
	long a, b;

	errno = 0;
	a = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '/')
		goto bad;
	b = strtol(end + 1, &end, 10);
	if (errno != 0 || *end != '\0' || b < 1 || b > 100000 || a < 0 || a >= b)
		goto bad;
	*k = (int)a;
	*n = (int)b;
	return 0;
bad:
	return glm_error_set(GLM_EUSAGE, "--shard must be K/N with 0 <= K < N, not '%s'", value);
}

/* The token file's first line, without surrounding white space. */
static int read_token_file(const char *path, char **out)
{
	char buf[4096];
	size_t len;
	char *s;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return glm_error_errno(GLM_EUSAGE, errno, "cannot read token file %s", path);
	s = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (s == NULL)
		return glm_error_set(GLM_EUSAGE, "token file %s is empty", path);
	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	if (len == 0)
		return glm_error_set(GLM_EUSAGE, "token file %s is empty", path);
	return opt_dup(out, s);
}

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

static const char *const naming_names[] = { "name", "path" };
static const char *const method_names[] = { "ssh", "http" };
static const char *const format_names[] = { "tree", "json", "yaml" };
static const char *const archived_names[] = { "include", "exclude", "only" };
static const char *const progress_names[] = { "auto", "always", "never" };
static const char *const scope_names[] = { "listed", "all", "member" };
static const char *const endpoint_limits_names[] = { "auto", "gitlab.com", "learn" };

/* Settings that gitlabber also reads from the environment, used when no option set them. */
static int apply_environment(struct options *o, const unsigned *seen)
{
	const char *v;
	int i = 0;

#define UNSET(opt) (!(seen[(opt) / 32] & (1u << ((opt) % 32))))
	if (UNSET('u') && (v = getenv("GITLAB_URL")) != NULL && *v && opt_dup(&o->url, v) < 0)
		return GLM_ENOMEM;
	if (UNSET('n') && (v = getenv("GITLABBER_FOLDER_NAMING")) != NULL && *v) {
		if (parse_choice("GITLABBER_FOLDER_NAMING", v, naming_names, 2, &i) < 0)
			return GLM_EUSAGE;
		o->naming = (enum naming)i;
	}
	if (UNSET('m') && (v = getenv("GITLABBER_CLONE_METHOD")) != NULL && *v) {
		if (parse_choice("GITLABBER_CLONE_METHOD", v, method_names, 2, &i) < 0)
			return GLM_EUSAGE;
		o->method = (enum clone_method)i;
	}
	if (UNSET('c') && (v = getenv("GITLABBER_GIT_CONCURRENCY")) != NULL && *v &&
	    parse_int("GITLABBER_GIT_CONCURRENCY", v, 1, 128, &o->concurrency) < 0)
		return GLM_EUSAGE;
	if (UNSET(OPT_API_CONCURRENCY) && (v = getenv("GITLABBER_API_CONCURRENCY")) != NULL && *v &&
	    parse_int("GITLABBER_API_CONCURRENCY", v, 1, 64, &o->api_concurrency) < 0)
		return GLM_EUSAGE;
	if (UNSET(OPT_API_RATE_LIMIT) && (v = getenv("GITLABBER_API_RATE_LIMIT")) != NULL && *v &&
	    parse_rate("GITLABBER_API_RATE_LIMIT", v, &o->api_rate) < 0)
		return GLM_EUSAGE;
	if (o->nincludes == 0 && (v = getenv("GITLABBER_INCLUDE")) != NULL &&
	    split_csv("GITLABBER_INCLUDE", v, o->includes, &o->nincludes) < 0)
		return GLM_EUSAGE;
	if (o->nexcludes == 0 && (v = getenv("GITLABBER_EXCLUDE")) != NULL &&
	    split_csv("GITLABBER_EXCLUDE", v, o->excludes, &o->nexcludes) < 0)
		return GLM_EUSAGE;
	/* --store-token stores a token given as an option or typed, as gitlabber does. */
	if (o->store_token)
		return 0;
	if (o->token == NULL && UNSET(OPT_TOKEN_FILE) &&
	    (v = getenv("GITLAB_TOKEN_FILE")) != NULL && *v && read_token_file(v, &o->token) < 0)
		return GLM_EUSAGE;
	if (o->token == NULL && (v = getenv("GITLAB_TOKEN")) != NULL && *v &&
	    opt_dup(&o->token, v) < 0)
		return GLM_ENOMEM;
#undef UNSET
	return 0;
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
			if (opt_dup(&o->dest, ".") < 0)
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

/* Which libgit2 runs, and whether it can clone shallow: tests and bug reports read it. */
static void options_print_libgit2(void)
{
	int major = 0, minor = 0, rev = 0;

	git_libgit2_version(&major, &minor, &rev);
	printf("libgit2 %d.%d.%d, shallow clones (-o --depth): %s\n", major, minor, rev,
	       GITVER_HAVE_SHALLOW ? "yes" : "no, needs libgit2 1.7+");
}

int options_parse(struct options *o, int argc, char **argv, int *exit_now)
{
	unsigned seen[(OPT_LAST + 31) / 32] = { 0 };
	const char *token_file = NULL;
	int c, i = 0, token_in_argv = 0;

	*exit_now = 0;
	options_defaults(o);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":t:Tu:pn:m:a:i:x:c:rFsg:Uo:f:qh", long_options,
				NULL)) != -1) {
		if (c > 0 && c < OPT_LAST)
			seen[c / 32] |= 1u << (c % 32);
		switch (c) {
		case 't':
			if (opt_dup(&o->token, optarg) < 0)
				return GLM_ENOMEM;
			token_in_argv = 1;
			break;
		case OPT_TOKEN_FILE:
			token_file = optarg;
			break;
		case 'T':
			break;
		case OPT_STORE_TOKEN:
			o->store_token = 1;
			break;
		case 'u':
			if (opt_dup(&o->url, optarg) < 0)
				return GLM_ENOMEM;
			break;
		case 'p':
			o->print = 1;
			break;
		case OPT_PRINT_FORMAT:
			if (parse_choice("--print-format", optarg, format_names, 3, &i) < 0)
				return GLM_EUSAGE;
			o->print_format = (enum print_format)i;
			break;
		case 'n':
			if (parse_choice("--naming", optarg, naming_names, 2, &i) < 0)
				return GLM_EUSAGE;
			o->naming = (enum naming)i;
			break;
		case 'm':
			if (parse_choice("--method", optarg, method_names, 2, &i) < 0)
				return GLM_EUSAGE;
			o->method = (enum clone_method)i;
			break;
		case 'a':
			if (parse_choice("--archived", optarg, archived_names, 3, &i) < 0)
				return GLM_EUSAGE;
			o->archived = (enum archived_mode)i;
			break;
		case 'i':
			if (split_csv("--include", optarg, o->includes, &o->nincludes) < 0)
				return GLM_EUSAGE;
			break;
		case 'x':
			if (split_csv("--exclude", optarg, o->excludes, &o->nexcludes) < 0)
				return GLM_EUSAGE;
			break;
		case 'c':
			if (parse_int("--concurrency", optarg, 1, 128, &o->concurrency) < 0)
				return GLM_EUSAGE;
			break;
		case OPT_API_CONCURRENCY:
			if (parse_int("--api-concurrency", optarg, 1, 64, &o->api_concurrency) < 0)
				return GLM_EUSAGE;
			break;
		case 'r':
			o->recursive = 1;
			break;
		case 'F':
			o->use_fetch = 1;
			break;
		case OPT_MIRROR:
			o->mirror = 1;
			break;
		case OPT_FORCE_TAGS:
			o->force_tags = 1;
			break;
		case 's':
			o->include_shared = 1;
			break;
		case OPT_EXCLUDE_SHARED:
			o->include_shared = 0;
			break;
		case 'g':
			if (opt_dup(&o->group_search, optarg) < 0)
				return GLM_ENOMEM;
			break;
		case 'U':
			o->user_projects = 1;
			break;
		case OPT_SCOPE:
			if (parse_choice("--scope", optarg, scope_names, 3, &i) < 0)
				return GLM_EUSAGE;
			o->scope = (enum scope_mode)i;
			break;
		case OPT_DELETION_SCHEDULED:
			o->include_deletion_scheduled = 1;
			break;
		case OPT_API_ENDPOINT_LIMITS:
			if (parse_choice("--api-endpoint-limits", optarg, endpoint_limits_names, 3,
					 &i) < 0)
				return GLM_EUSAGE;
			o->endpoint_limits = (enum endpoint_limits)i;
			break;
		case OPT_NO_LFS:
			o->no_lfs = 1;
			break;
		case 'o':
			if (split_git_options(optarg, o->git_options, &o->ngit_options) < 0)
				return GLM_EUSAGE;
			break;
		case 'f':
			if (opt_dup(&o->tree_file, optarg) < 0)
				return GLM_ENOMEM;
			break;
		case OPT_FAIL_FAST:
			o->fail_fast = 1;
			break;
		case OPT_VERBOSE:
			o->verbose = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case OPT_VERSION:
			printf("glmirror %s\n", GLM_VERSION);
			options_print_libgit2();
			*exit_now = 1;
			return 0;
		case 'h':
			fputs(usage_text, stdout);
			*exit_now = 1;
			return 0;
		case OPT_GROUP:
			if (o->ngroups == OPT_MAX_LIST)
				return glm_error_set(GLM_EUSAGE, "--group: more than %d groups",
						     OPT_MAX_LIST);
			if (optarg[0] == '\0')
				return glm_error_set(GLM_EUSAGE, "--group needs a path or an id");
			if ((o->groups[o->ngroups] = strdup(optarg)) == NULL)
				return glm_error_set(GLM_ENOMEM, "out of memory");
			o->ngroups++;
			break;
		case OPT_API_RATE_LIMIT:
			if (parse_rate("--api-rate-limit", optarg, &o->api_rate) < 0)
				return GLM_EUSAGE;
			break;
		case OPT_API_TIMEOUT:
			if (parse_int("--api-timeout", optarg, 1, 3600, &o->api_timeout) < 0)
				return GLM_EUSAGE;
			break;
		case OPT_GIT_TIMEOUT:
			if (parse_int("--git-timeout", optarg, 1, 86400, &o->git_timeout) < 0)
				return GLM_EUSAGE;
			break;
		case OPT_API_RETRIES:
			if (parse_int("--api-retries", optarg, 0, 20, &o->api_retries) < 0)
				return GLM_EUSAGE;
			break;
		case OPT_TREE_OUT:
			if (opt_dup(&o->tree_out, optarg) < 0)
				return GLM_ENOMEM;
			break;
		case OPT_REPORT:
			if (opt_dup(&o->report, optarg) < 0)
				return GLM_ENOMEM;
			break;
		case OPT_CACERT:
			if (opt_dup(&o->cacert, optarg) < 0)
				return GLM_ENOMEM;
			break;
		case OPT_INSECURE:
			o->insecure = 1;
			break;
		case OPT_PROGRESS:
			if (parse_choice("--progress", optarg, progress_names, 3, &i) < 0)
				return GLM_EUSAGE;
			o->progress = (enum progress_mode)i;
			break;
		case OPT_DRY_RUN:
			o->dry_run = 1;
			break;
		case OPT_SHARD:
			if (parse_shard(optarg, &o->shard_k, &o->shard_n) < 0)
				return GLM_EUSAGE;
			break;
		case OPT_SSH_KEY:
			if (opt_dup(&o->ssh_key, optarg) < 0)
				return GLM_ENOMEM;
			break;
		case OPT_SSH_ACCEPT_NEW:
			o->ssh_accept_new = 1;
			break;
		case OPT_GIT_RETRIES:
			if (parse_int("--git-retries", optarg, 0, 20, &o->git_retries) < 0)
				return GLM_EUSAGE;
			break;
		case OPT_PRUNE:
			o->prune = 1;
			break;
		case OPT_PRUNE_MAX:
			if (parse_int("--prune-max", optarg, 0, 100, &o->prune_max) < 0)
				return GLM_EUSAGE;
			break;
		case OPT_MAX_RESPONSE:
			if (parse_size(optarg, &o->max_body) < 0)
				return GLM_EUSAGE;
			break;
		case OPT_METRICS:
			if (opt_dup(&o->metrics, optarg) < 0)
				return GLM_ENOMEM;
			break;
		case OPT_LOG_FORMAT:
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
				return glm_error_set(GLM_EUSAGE,
						     "--log-format must be text or json, not '%s'",
						     optarg);
			/* At once: the warnings at the end of the parsing are lines too. */
			log_set_json(strcmp(optarg, "json") == 0);
			break;
		case ':':
			return glm_error_set(GLM_EUSAGE, "option '%s' needs a value",
					     argv[optind - 1]);
		default:
			return glm_error_set(GLM_EUSAGE, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		size_t len;

		if (argc - optind > 1)
			return glm_error_set(GLM_EUSAGE, "one destination folder only, not '%s'",
					     argv[optind + 1]);
		if (opt_dup(&o->dest, argv[optind]) < 0)
			return GLM_ENOMEM;
		len = strlen(o->dest);
		while (len > 1 && o->dest[len - 1] == '/')
			o->dest[--len] = '\0';
	}
	if (token_file != NULL && o->token == NULL && read_token_file(token_file, &o->token) < 0)
		return GLM_EUSAGE;
	if (apply_environment(o, seen) < 0)
		return GLM_EUSAGE;
	if (options_url_and_keyring(o) < 0)
		return GLM_EUSAGE;
	if (o->token != NULL)
		log_add_secret(o->token);
	if (options_check(o) < 0)
		return GLM_EUSAGE;
	if (token_in_argv && !o->quiet)
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
