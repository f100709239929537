/*
 * What one option does to struct options: the typed setters the table's rows
 * describe, the handlers of the odd options, and the parsers of their values.
 * A value may come from the command line or from the option's environment
 * variable; error messages name whichever it was.
 */
#include "options_set.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "log.h"
#include "options_table.h"

int options_set_string(char **field, const char *value)
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

/* Matches value case-insensitively against names[] (NULL-terminated); *out is the index. */
static int parse_choice(const char *what, const char *value, const char *const *names, int *out)
{
	char list[256];
	size_t len = 0;
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcasecmp(value, names[i]) == 0) {
			*out = i;
			return 0;
		}
	list[0] = '\0';
	for (i = 0; names[i] != NULL && len < sizeof(list); i++) {
		const char *sep = i == 0 ? "" : names[i + 1] == NULL ? " or " : ", ";

		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s'%s'", sep, names[i]);
	}
	return glm_error_set(GLM_EUSAGE, "%s must be %s, not '%s'", what, list, value);
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
static int split_git_options(const char *what, const char *value, char **items, size_t *n)
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
				rc = glm_error_set(GLM_EUSAGE, "%s: unclosed quote in '%s'", what,
						   value);
				break;
			}
			if (in_word) {
				if (*n == OPT_MAX_LIST) {
					rc = glm_error_set(GLM_EUSAGE, "%s: too many", what);
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

static int parse_size(const char *what, const char *value, long long *out)
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
	return glm_error_set(GLM_EUSAGE, "%s must be a size from 1K to 4G (e.g. 64M), not '%s'",
			     what, value);
}

static int parse_shard(const char *what, const char *value, int *k, int *n)
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
	return glm_error_set(GLM_EUSAGE, "%s must be K/N with 0 <= K < N, not '%s'", what, value);
}

/* The token file's first line, without surrounding white space. */
int options_set_read_token_file(const char *path, char **out)
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
	return options_set_string(out, s);
}

/* -t: a token in argv warns (options.c); GITLAB_TOKEN waits for options_set_env_token(). */
int options_set_token(struct options_state *p, const char *what, const char *value, int from_env)
{
	(void)what;
	if (from_env) {
		p->env_token = value;
		return 0;
	}
	p->token_in_argv = 1;
	return options_set_string(&p->o->token, value);
}

/* The file is read after the command line, and only when -t gave no token. */
int options_set_token_file(struct options_state *p, const char *what, const char *value,
			   int from_env)
{
	(void)what;
	if (from_env)
		p->env_token_file = value;
	else
		p->token_file = value;
	return 0;
}

int options_set_env_token(struct options_state *p)
{
	struct options *o = p->o;

	/* --store-token stores a token given as an option or typed, as gitlabber does. */
	if (o->store_token)
		return 0;
	if (o->token == NULL && p->env_token_file != NULL &&
	    options_set_read_token_file(p->env_token_file, &o->token) < 0)
		return GLM_EUSAGE;
	if (o->token == NULL && p->env_token != NULL &&
	    options_set_string(&o->token, p->env_token) < 0)
		return GLM_ENOMEM;
	return 0;
}

int options_set_group(struct options_state *p, const char *what, const char *value, int from_env)
{
	struct options *o = p->o;

	(void)from_env;
	if (o->ngroups == OPT_MAX_LIST)
		return glm_error_set(GLM_EUSAGE, "%s: more than %d groups", what, OPT_MAX_LIST);
	if (value[0] == '\0')
		return glm_error_set(GLM_EUSAGE, "%s needs a path or an id", what);
	if ((o->groups[o->ngroups] = strdup(value)) == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	o->ngroups++;
	return 0;
}

int options_set_git_options(struct options_state *p, const char *what, const char *value,
			    int from_env)
{
	(void)from_env;
	return split_git_options(what, value, p->o->git_options, &p->o->ngit_options);
}

int options_set_rate(struct options_state *p, const char *what, const char *value, int from_env)
{
	(void)from_env;
	return parse_rate(what, value, &p->o->api_rate);
}

int options_set_size(struct options_state *p, const char *what, const char *value, int from_env)
{
	(void)from_env;
	return parse_size(what, value, &p->o->max_body);
}

int options_set_shard(struct options_state *p, const char *what, const char *value, int from_env)
{
	(void)from_env;
	return parse_shard(what, value, &p->o->shard_k, &p->o->shard_n);
}

int options_set_log_format(struct options_state *p, const char *what, const char *value,
			   int from_env)
{
	(void)p;
	(void)from_env;
	if (strcmp(value, "text") != 0 && strcmp(value, "json") != 0)
		return glm_error_set(GLM_EUSAGE, "%s must be text or json, not '%s'", what, value);
	/* At once: the warnings at the end of the parsing are lines too. */
	log_set_json(strcmp(value, "json") == 0);
	return 0;
}

int options_set_row(struct options_state *p, size_t row, const char *value, int from_env)
{
	const struct options_row *r = &options_table[row];
	char *base = (char *)p->o;
	char what[64];
	size_t *count;
	int i = 0;

	if (from_env)
		snprintf(what, sizeof(what), "%s", r->env);
	else
		snprintf(what, sizeof(what), "--%s", r->name);
	switch (r->kind) {
	case OPTIONS_ON:
	case OPTIONS_OFF:
		*(int *)(base + r->field) = r->kind == OPTIONS_ON;
		return 0;
	case OPTIONS_IGNORED:
		return 0;
	case OPTIONS_STRING:
		return options_set_string((char **)(base + r->field), value);
	case OPTIONS_INT:
		return parse_int(what, value, r->lo, r->hi, (int *)(base + r->field));
	case OPTIONS_CHOICE:
		if (parse_choice(what, value, r->names, &i) < 0)
			return GLM_EUSAGE;
		*(int *)(base + r->field) = i;
		return 0;
	case OPTIONS_PATTERNS:
		count = (size_t *)(base + r->count);
		if (split_csv(what, value, (char **)(base + r->field), count) < 0)
			return GLM_EUSAGE;
		/* An option that leaves no pattern lets the variable's in, as it always did. */
		if (*count == 0 && !from_env)
			p->seen[row] = 0;
		return 0;
	case OPTIONS_CALL:
		return r->call(p, what, value, from_env);
	}
	return glm_error_set(GLM_ERR, "option --%s has no kind", r->name);
}
