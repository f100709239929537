/*
 * The tree file.  Format (version 1): the root node itself, written by
 * print_json_tree() as gitlabber's -p json writes it (keys sorted, 2-space
 * indent, non-ASCII as \uXXXX), so it is a superset of gitlabber's JSON:
 *
 *   ROOT = { "children": [NODE, ...], "glmirror_tree": 1, "method": "ssh"|"http",
 *            "name": "", "naming": "name"|"path", "root_path": "", "type": "root",
 *            "url": BASE_URL }
 *   NODE = { gitlabber's "name" (the folder), "root_path", "type"
 *            ("group"|"subgroup"|"project"), "url" (groups: web_url;
 *            projects: the clone URL of "method"), "children" (when not
 *            empty), and "id", "parent_id", "gitlab_name", "gitlab_path",
 *            "full_path", "web_url"; projects also "http_url", "ssh_url",
 *            "default_branch" (null when empty), "last_activity_at",
 *            "archived", "empty_repo", "shared", and "no_code_access"
 *            only when true }
 *
 * Strings that are NULL in struct node are left out.  The reader takes the
 * GitLab facts; name, root_path and url are derived (tree_finish() derives
 * them again from this run's -n) and only need to be strings; unknown keys
 * are ignored, so a later version may add keys without a format bump.
 *
 * Without "glmirror_tree" the file is read as gitlabber's own -p json
 * output: a node's name is its GitLab name and path, full_path is its
 * parents' names joined, a project's url is its http_url or ssh_url by its
 * scheme, ids are 0 and the rest is unknown.
 */
#include "treefile.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "error.h"
#include "log.h"
#include "print.h"

#define TREEFILE_VERSION   1
#define TREEFILE_MAX_BYTES (512LL << 20)
#define TREEFILE_MAX_DEPTH 64		      /* GitLab allows 20 levels of subgroups */
#define TREEFILE_MAX_ID	   9007199254740992.0 /* 2^53: exact in a JSON number */

static const char *const treefile_types[] = { "root", "group", "subgroup", "project" };

struct treefile_str {
	const char *key;
	size_t offset;
	int required; /* for every node but the root */
};

static const struct treefile_str treefile_strs[] = {
	{ "gitlab_name", offsetof(struct node, name), 1 },
	{ "gitlab_path", offsetof(struct node, path), 1 },
	{ "full_path", offsetof(struct node, full_path), 0 },
	{ "web_url", offsetof(struct node, web_url), 0 },
	{ "http_url", offsetof(struct node, http_url), 0 },
	{ "ssh_url", offsetof(struct node, ssh_url), 0 },
	{ "default_branch", offsetof(struct node, default_branch), 0 },
	{ "last_activity_at", offsetof(struct node, last_activity_at), 0 },
};

struct treefile_bool {
	const char *key;
	size_t offset;
};

static const struct treefile_bool treefile_bools[] = {
	{ "archived", offsetof(struct node, archived) },
	{ "empty_repo", offsetof(struct node, empty_repo) },
	{ "shared", offsetof(struct node, shared) },
	{ "no_code_access", offsetof(struct node, no_code) },
};

/* Derived from the facts, or read only by the root: each a string or null when present. */
static const char *const treefile_loose[] = { "name", "root_path", "url", "naming", "method" };

/* Checked for duplicates with the tables above. */
static const char *const treefile_others[] = { "type", "id", "parent_id", "children",
					       "glmirror_tree" };

#define TREEFILE_NSTRS	(sizeof(treefile_strs) / sizeof(treefile_strs[0]))
#define TREEFILE_NBOOLS (sizeof(treefile_bools) / sizeof(treefile_bools[0]))
#define TREEFILE_NLOOSE (sizeof(treefile_loose) / sizeof(treefile_loose[0]))
#define TREEFILE_NKEYS                                                                             \
	(TREEFILE_NSTRS + TREEFILE_NBOOLS + TREEFILE_NLOOSE +                                      \
	 sizeof(treefile_others) / sizeof(treefile_others[0]))

static char **treefile_str_field(struct node *node, size_t i)
{
	return (char **)((char *)node + treefile_strs[i].offset);
}

static int *treefile_bool_field(struct node *node, size_t i)
{
	return (int *)((char *)node + treefile_bools[i].offset);
}

struct treefile_out {
	const struct node *root;
	const char *base_url;
	const struct options *opts;
};

static int treefile_fill(FILE *f, void *ctx)
{
	const struct treefile_out *t = ctx;

	return print_json_tree(f, t->root, t->base_url, t->opts, TREEFILE_VERSION);
}

int treefile_write(const char *path, const struct node *root, const char *base_url,
		   const struct options *opts)
{
	struct treefile_out t = { root, base_url, opts };

	return atomicfile_write(path, "tree file", treefile_fill, &t);
}

/* Reading. */

struct treefile_reader {
	const char *file;
	int gitlabber;	 /* no "glmirror_tree": gitlabber's -p json output */
	char where[512]; /* the node being read, for messages */
};

static int treefile_bad(struct treefile_reader *r, const char *what)
{
	return glm_error_set(GLM_EPARSE, "tree file '%s': %s%s%s", r->file, r->where,
			     r->where[0] ? ": " : "", what);
}

/* Names the node in r->where: its JSON position and, when known, full_path or root_path. */
static void treefile_locate(struct treefile_reader *r, const char *json_path, const cJSON *obj)
{
	const cJSON *fp = cJSON_GetObjectItemCaseSensitive(obj, "full_path");
	const cJSON *rp = cJSON_GetObjectItemCaseSensitive(obj, "root_path");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "id");
	char esc[200];

	if (cJSON_IsString(fp))
		snprintf(r->where, sizeof(r->where), "%s (full_path '%s')", json_path,
			 log_esc(fp->valuestring, esc, sizeof(esc)));
	else if (cJSON_IsString(rp) && rp->valuestring[0] != '\0')
		snprintf(r->where, sizeof(r->where), "%s (root_path '%s')", json_path,
			 log_esc(rp->valuestring, esc, sizeof(esc)));
	else if (cJSON_IsNumber(id))
		snprintf(r->where, sizeof(r->where), "%s (id %.0f)", json_path, id->valuedouble);
	else
		snprintf(r->where, sizeof(r->where), "%s", json_path);
}

static int treefile_id(struct treefile_reader *r, const cJSON *obj, const char *key, int required,
		       long long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char msg[128];

	if (v == NULL && !required)
		return 0;
	if (v == NULL) {
		snprintf(msg, sizeof(msg), "'%s' is missing", key);
		return treefile_bad(r, msg);
	}
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > TREEFILE_MAX_ID ||
	    floor(v->valuedouble) != v->valuedouble) {
		snprintf(msg, sizeof(msg), "'%s' is not a whole number from 0 to 2^53", key);
		return treefile_bad(r, msg);
	}
	*out = (long long)v->valuedouble;
	return 0;
}

static int treefile_decode(struct treefile_reader *r, const cJSON *obj, const char *json_path,
			   int depth, const struct node *parent, struct node **out);

static const char *treefile_key(size_t k)
{
	if (k < TREEFILE_NSTRS)
		return treefile_strs[k].key;
	k -= TREEFILE_NSTRS;
	if (k < TREEFILE_NBOOLS)
		return treefile_bools[k].key;
	k -= TREEFILE_NBOOLS;
	return k < TREEFILE_NLOOSE ? treefile_loose[k] : treefile_others[k - TREEFILE_NLOOSE];
}

/*
 * A key given twice is ambiguous (cJSON would take the first); a hand-edited
 * file that does it is refused.  Only the keys this reader uses are checked,
 * so the cost stays linear in the object's size.
 */
static int treefile_check_duplicates(struct treefile_reader *r, const cJSON *obj)
{
	unsigned seen[TREEFILE_NKEYS] = { 0 };
	const cJSON *item;
	char msg[96];
	size_t k;

	cJSON_ArrayForEach(item, obj)
	{
		for (k = 0; k < TREEFILE_NKEYS; k++) {
			const char *key = treefile_key(k);

			if (item->string != NULL && strcmp(item->string, key) == 0 && seen[k]++) {
				snprintf(msg, sizeof(msg), "'%s' is given twice", key);
				return treefile_bad(r, msg);
			}
		}
	}
	return 0;
}

static int treefile_decode_children(struct treefile_reader *r, const cJSON *obj,
				    const char *json_path, int depth, struct node *node)
{
	const cJSON *children = cJSON_GetObjectItemCaseSensitive(obj, "children"), *c;
	char child_path[sizeof(r->where)];
	size_t i = 0;
	int err;

	if (children == NULL || cJSON_IsNull(children))
		return 0;
	if (!cJSON_IsArray(children))
		return treefile_bad(r, "'children' is not an array");
	if (node->type == NODE_PROJECT && cJSON_GetArraySize(children) > 0)
		return treefile_bad(r, "a project has children");
	cJSON_ArrayForEach(c, children)
	{
		struct node *child;

		snprintf(child_path, sizeof(child_path), "%s.children[%zu]", json_path, i++);
		if ((err = treefile_decode(r, c, child_path, depth + 1, node, &child)) < 0)
			return err;
		if ((err = node_add_child(node, child)) < 0) {
			node_free(child);
			return err;
		}
	}
	return 0;
}

/* An http(s) URL with user:password@ would put a secret in the tree. */
static int treefile_has_userinfo(const char *url)
{
	const char *host = strstr(url, "://"), *end;

	if (host == NULL)
		return 0;
	host += 3;
	end = host + strcspn(host, "/?#");
	return memchr(host, '@', (size_t)(end - host)) != NULL;
}

static int treefile_is_http(const char *url)
{
	return strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0;
}

/* glmirror's keys: the GitLab facts. */
static int treefile_decode_facts(struct treefile_reader *r, const cJSON *obj, struct node *node)
{
	const cJSON *v;
	size_t i;
	int err;
	char msg[128];

	if ((err = treefile_id(r, obj, "id", node->type != NODE_ROOT, &node->id)) < 0 ||
	    (err = treefile_id(r, obj, "parent_id", 0, &node->parent_id)) < 0)
		return err;
	for (i = 0; i < TREEFILE_NSTRS; i++) {
		v = cJSON_GetObjectItemCaseSensitive(obj, treefile_strs[i].key);
		if ((v == NULL || cJSON_IsNull(v)) &&
		    !(treefile_strs[i].required && node->type != NODE_ROOT))
			continue;
		if (!cJSON_IsString(v)) {
			snprintf(msg, sizeof(msg), "'%s' is %s", treefile_strs[i].key,
				 v == NULL ? "missing" : "not a string");
			return treefile_bad(r, msg);
		}
		if ((err = node_set(treefile_str_field(node, i), v->valuestring)) < 0)
			return err;
	}
	for (i = 0; i < TREEFILE_NBOOLS; i++) {
		v = cJSON_GetObjectItemCaseSensitive(obj, treefile_bools[i].key);
		if (v == NULL)
			continue;
		if (!cJSON_IsBool(v)) {
			snprintf(msg, sizeof(msg), "'%s' is not true or false",
				 treefile_bools[i].key);
			return treefile_bad(r, msg);
		}
		*treefile_bool_field(node, i) = cJSON_IsTrue(v);
	}
	return 0;
}

/* gitlabber's keys only: name is name and path, url goes where its kind says. */
static int treefile_decode_gitlabber(struct treefile_reader *r, const cJSON *obj,
				     const struct node *parent, struct node *node)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
	const cJSON *url = cJSON_GetObjectItemCaseSensitive(obj, "url");
	char *full;
	int err;

	if (node->type == NODE_ROOT)
		return 0;
	if (!cJSON_IsString(name) || name->valuestring[0] == '\0')
		return treefile_bad(r, "'name' is missing or empty");
	if ((err = node_set(&node->name, name->valuestring)) < 0 ||
	    (err = node_set(&node->path, name->valuestring)) < 0)
		return err;
	if (parent->full_path == NULL) {
		err = node_set(&node->full_path, name->valuestring);
	} else if (asprintf(&full, "%s/%s", parent->full_path, name->valuestring) < 0) {
		err = GLM_ENOMEM;
	} else {
		free(node->full_path);
		node->full_path = full;
	}
	if (err < 0 || !cJSON_IsString(url))
		return err;
	if (node->type != NODE_PROJECT)
		return node_set(&node->web_url, url->valuestring);
	return node_set(treefile_is_http(url->valuestring) ? &node->http_url : &node->ssh_url,
			url->valuestring);
}

/* Keys that are derived, or hold the base URL: strings (or null) without secrets. */
static int treefile_check_loose(struct treefile_reader *r, const cJSON *obj)
{
	const cJSON *v;
	size_t i;
	char msg[128];

	for (i = 0; i < TREEFILE_NLOOSE; i++) {
		v = cJSON_GetObjectItemCaseSensitive(obj, treefile_loose[i]);
		if (v != NULL && !cJSON_IsNull(v) && !cJSON_IsString(v)) {
			snprintf(msg, sizeof(msg), "'%s' is not a string", treefile_loose[i]);
			return treefile_bad(r, msg);
		}
	}
	for (i = 0; i < TREEFILE_NKEYS; i++) {
		v = cJSON_GetObjectItemCaseSensitive(obj, treefile_key(i));
		if (cJSON_IsString(v) && treefile_is_http(v->valuestring) &&
		    treefile_has_userinfo(v->valuestring)) {
			snprintf(msg, sizeof(msg), "'%s' holds a user name or password",
				 treefile_key(i));
			return treefile_bad(r, msg);
		}
	}
	return 0;
}

static int treefile_decode(struct treefile_reader *r, const cJSON *obj, const char *json_path,
			   int depth, const struct node *parent, struct node **out)
{
	struct node *node = NULL;
	const cJSON *v;
	int err, t;
	char msg[128];

	*out = NULL;
	snprintf(r->where, sizeof(r->where), "%s", json_path);
	if (depth > TREEFILE_MAX_DEPTH)
		return treefile_bad(r, "nested deeper than 64 levels");
	if (!cJSON_IsObject(obj))
		return treefile_bad(r, "a node is not an object");
	treefile_locate(r, json_path, obj);
	if ((err = treefile_check_duplicates(r, obj)) < 0 ||
	    (err = treefile_check_loose(r, obj)) < 0)
		return err;
	v = cJSON_GetObjectItemCaseSensitive(obj, "type");
	if (!cJSON_IsString(v))
		return treefile_bad(r, "'type' is missing or not a string");
	for (t = 0; t < 4 && strcmp(v->valuestring, treefile_types[t]) != 0; t++)
		;
	if (t == 4) {
		char esc[64];

		snprintf(msg, sizeof(msg), "unknown type '%s'",
			 log_esc(v->valuestring, esc, sizeof(esc)));
		return treefile_bad(r, msg);
	}
	if ((t == NODE_ROOT) != (depth == 0))
		return treefile_bad(r, depth == 0 ? "the top node is not of type 'root'"
						  : "a node below the top is of type 'root'");
	if ((node = node_new((enum node_type)t)) == NULL)
		return glm_error_set(GLM_ENOMEM, "tree file '%s': out of memory", r->file);
	err = r->gitlabber ? treefile_decode_gitlabber(r, obj, parent, node)
			   : treefile_decode_facts(r, obj, node);
	if (err < 0 || (err = treefile_decode_children(r, obj, json_path, depth, node)) < 0)
		goto fail;
	*out = node;
	return 0;
fail:
	if (err == GLM_ENOMEM)
		err = glm_error_set(GLM_ENOMEM, "tree file '%s': out of memory", r->file);
	node_free(node);
	return err;
}

static int treefile_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Line and column of offset in buf, for a parse error. */
static void treefile_position(const char *buf, size_t offset, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < offset; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/*
 * cJSON turns "\u0000" into the end of a C string, which would silently cut
 * a name short; a raw NUL byte is not JSON either.  Both are refused here.
 * *open_at_end is set when the text ends inside a string, object or array:
 * the usual shape of a truncated file.
 */
static int treefile_scan(struct treefile_reader *r, const char *buf, size_t len, int *open_at_end)
{
	size_t i, line, col, depth = 0, max_depth = 0;
	int in_string = 0;
	char msg[96];

	for (i = 0; i < len; i++) {
		if (buf[i] == '\0') {
			treefile_position(buf, i, &line, &col);
			snprintf(msg, sizeof(msg), "a NUL byte at line %zu column %zu", line, col);
			return treefile_bad(r, msg);
		}
		if (buf[i] == '"') {
			in_string = !in_string;
		} else if (!in_string && (buf[i] == '{' || buf[i] == '[')) {
			if (++depth > max_depth)
				max_depth = depth;
		} else if (!in_string && (buf[i] == '}' || buf[i] == ']')) {
			depth -= depth > 0;
		} else if (in_string && buf[i] == '\\' && i + 1 < len) {
			if (buf[i + 1] == 'u' && len - i >= 6 &&
			    memcmp(buf + i + 2, "0000", 4) == 0) {
				treefile_position(buf, i, &line, &col);
				snprintf(msg, sizeof(msg),
					 "a string contains \\u0000 at line %zu column %zu", line,
					 col);
				return treefile_bad(r, msg);
			}
			i++; /* the escaped character, so \" does not end the string */
		}
	}
	*open_at_end = in_string || depth > 0;
	/* Two JSON levels per tree level; cJSON itself stops at CJSON_NESTING_LIMIT. */
	if (max_depth > 2 * TREEFILE_MAX_DEPTH + 16) {
		snprintf(msg, sizeof(msg), "JSON nested deeper than %d levels",
			 2 * TREEFILE_MAX_DEPTH + 16);
		return treefile_bad(r, msg);
	}
	return 0;
}

static int treefile_slurp(const char *path, char **out, size_t *out_len)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, err = 0;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return glm_error_errno(GLM_EIO, errno, "tree file '%s'", path);
	if (fstat(fd, &st) < 0) {
		err = glm_error_errno(GLM_EIO, errno, "tree file '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = glm_error_set(GLM_EIO, "tree file '%s' is not a regular file", path);
		goto out;
	}
	if (st.st_size > TREEFILE_MAX_BYTES) {
		err = glm_error_set(GLM_EPARSE, "tree file '%s' is larger than %lld MiB", path,
				    TREEFILE_MAX_BYTES >> 20);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		err = glm_error_set(GLM_ENOMEM, "tree file '%s': out of memory", path);
		goto out;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = glm_error_errno(GLM_EIO, errno, "tree file '%s'", path);
			goto out;
		}
		if (n == 0)
			break; /* shrank while we read: parsed as it is */
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return err;
}

static int treefile_parse_json(struct treefile_reader *r, const char *buf, size_t len, cJSON **out)
{
	const char *end = NULL;
	size_t line, col, i;
	char msg[128];
	int err, open_at_end = 0;

	*out = NULL;
	if ((err = treefile_scan(r, buf, len, &open_at_end)) < 0)
		return err;
	for (i = 0; i < len && treefile_is_space(buf[i]); i++)
		;
	if (i == len)
		return treefile_bad(r, "the file is empty");
	*out = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (*out == NULL) {
		if (open_at_end || end == NULL || end >= buf + len)
			return treefile_bad(r, "the file ends in the middle (truncated?)");
		treefile_position(buf, (size_t)(end - buf), &line, &col);
		snprintf(msg, sizeof(msg), "not valid JSON at line %zu column %zu", line, col);
		return treefile_bad(r, msg);
	}
	for (i = (size_t)(end - buf); i < len && treefile_is_space(buf[i]); i++)
		;
	if (i < len) {
		treefile_position(buf, i, &line, &col);
		snprintf(msg, sizeof(msg), "unexpected text after the JSON at line %zu column %zu",
			 line, col);
		cJSON_Delete(*out);
		*out = NULL;
		return treefile_bad(r, msg);
	}
	return 0;
}

int treefile_parse(const char *name, const char *buf, size_t len, struct node **out_root,
		   char **out_base_url)
{
	struct treefile_reader r = { .file = name };
	const cJSON *v;
	cJSON *doc = NULL;
	char msg[128];
	int err;

	*out_root = NULL;
	*out_base_url = NULL;
	if ((err = treefile_parse_json(&r, buf, len, &doc)) < 0)
		goto out;
	if (!cJSON_IsObject(doc)) {
		err = treefile_bad(&r, "not a tree file (not a JSON object)");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(doc, "glmirror_tree");
	r.gitlabber = v == NULL;
	if (v != NULL && (!cJSON_IsNumber(v) || v->valuedouble != TREEFILE_VERSION)) {
		if (cJSON_IsNumber(v))
			snprintf(msg, sizeof(msg),
				 "format version %g is not supported (this glmirror reads "
				 "version %d)",
				 v->valuedouble, TREEFILE_VERSION);
		else
			snprintf(msg, sizeof(msg), "\"glmirror_tree\" is not a version number");
		err = treefile_bad(&r, msg);
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(doc, "url");
	if (!cJSON_IsString(v) || !treefile_is_http(v->valuestring)) {
		err = treefile_bad(&r, "the root's \"url\" is missing or not an http(s) URL");
		goto out;
	}
	if ((*out_base_url = strdup(v->valuestring)) == NULL) {
		err = glm_error_set(GLM_ENOMEM, "tree file '%s': out of memory", name);
		goto out;
	}
	err = treefile_decode(&r, doc, "root", 0, NULL, out_root);
out:
	if (err < 0) {
		free(*out_base_url);
		*out_base_url = NULL;
	}
	cJSON_Delete(doc);
	return err;
}

int treefile_read(const char *path, struct node **out_root, char **out_base_url)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	*out_root = NULL;
	*out_base_url = NULL;
	if ((err = treefile_slurp(path, &buf, &len)) == 0)
		err = treefile_parse(path, buf, len, out_root, out_base_url);
	free(buf);
	return err;
}
