/*
 * -p output, byte for byte what gitlabber prints where it can be:
 *  - tree: anytree's RenderTree ("root [URL]", then "<prefix>name [root_path]");
 *  - json: anytree's JsonExporter(indent=2, sort_keys=True), i.e. Python's
 *    json.dumps with its default ensure_ascii (non-ASCII as \uXXXX);
 *  - yaml: PyYAML's yaml.dump(default_flow_style=False) of the same dict
 *    (print_yaml.c).
 * Each node has name (the folder), root_path, type, url (groups: web_url;
 * projects: the clone URL of -m, never with the token; the root: the base
 * URL) and children when it has any.  The tree drawing keeps UTF-8 but
 * escapes control characters, invalid bytes and bidi overrides, so a name
 * cannot rewrite the terminal.
 */
#include "print.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "utf8.h"

const char *print_url(const struct print_ctx *pc, const struct node *node)
{
	switch (node->type) {
	case NODE_ROOT:
		return pc->base_url;
	case NODE_PROJECT:
		return pc->opts->method == METHOD_HTTP ? node->http_url : node->ssh_url;
	default:
		return node->web_url;
	}
}

/* --- tree --- */

static int print_is_bidi(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* s as it may appear on a terminal. */
static void print_term(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	const unsigned char *end = s + strlen((const char *)s);
	uint32_t cp;
	size_t len;

	for (; s < end; s += len) {
		len = utf8_decode(s, end, &cp);
		if (len == 0) {
			fprintf(out, "\\x%02x", *s);
			len = 1;
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
			fprintf(out, "\\x%02x", cp);
		} else if (print_is_bidi(cp)) {
			fprintf(out, "\\u%04x", cp);
		} else {
			fwrite(s, 1, len, out);
		}
	}
}

/* prefix has room for one "│   " or "    " per ancestor below the root. */
static void print_tree_node(const struct print_ctx *pc, const struct node *node, char *prefix,
			    size_t plen)
{
	size_t i;

	for (i = 0; i < node->nchildren; i++) {
		const struct node *child = node->children[i];
		int last = i + 1 == node->nchildren;
		const char *cont = last ? "    " : "\u2502   ";

		fwrite(prefix, 1, plen, pc->out);
		fputs(last ? "\u2514\u2500\u2500 " : "\u251c\u2500\u2500 ", pc->out);
		print_term(pc->out, child->folder);
		fputs(" [", pc->out);
		print_term(pc->out, child->root_path);
		fputs("]\n", pc->out);
		if (child->nchildren > 0) {
			memcpy(prefix + plen, cont, strlen(cont));
			print_tree_node(pc, child, prefix, plen + strlen(cont));
		}
	}
}

static size_t print_height(const struct node *node)
{
	size_t i, h, max = 0;

	for (i = 0; i < node->nchildren; i++)
		if ((h = print_height(node->children[i]) + 1) > max)
			max = h;
	return max;
}

static int print_tree_text(const struct print_ctx *pc, const struct node *root)
{
	char *prefix = malloc(print_height(root) * sizeof("\u2502   ") + 1);

	if (prefix == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory printing");
	fputs("root [", pc->out);
	print_term(pc->out, pc->base_url);
	fputs("]\n", pc->out);
	print_tree_node(pc, root, prefix, 0);
	free(prefix);
	return 0;
}

/* --- json --- */

static void print_json_string(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *end = s + strlen(str);
	uint32_t cp;
	size_t len;

	fputc('"', out);
	for (; s < end; s += len) {
		const char *short_esc = NULL;

		if ((len = utf8_decode(s, end, &cp)) == 0) {
			cp = 0xfffd; /* Python strings hold no invalid bytes */
			len = 1;
		}
		switch (cp) {
		case '"':
			short_esc = "\\\"";
			break;
		case '\\':
			short_esc = "\\\\";
			break;
		case '\n':
			short_esc = "\\n";
			break;
		case '\r':
			short_esc = "\\r";
			break;
		case '\t':
			short_esc = "\\t";
			break;
		case '\b':
			short_esc = "\\b";
			break;
		case '\f':
			short_esc = "\\f";
			break;
		}
		if (short_esc != NULL)
			fputs(short_esc, out);
		else if (cp >= 0x20 && cp <= 0x7e)
			fputc((int)cp, out);
		else if (cp >= 0x10000)
			fprintf(out, "\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >> 10),
				0xdc00 + ((cp - 0x10000) & 0x3ff));
		else
			fprintf(out, "\\u%04x", cp);
	}
	fputc('"', out);
}

enum print_json_kind { PRINT_JSON_STRING, PRINT_JSON_NUMBER, PRINT_JSON_BOOL, PRINT_JSON_CHILDREN };

struct print_json_field {
	const char *key;
	enum print_json_kind kind;
	const char *str; /* PRINT_JSON_STRING; NULL is written as null */
	long long num;	 /* PRINT_JSON_NUMBER and PRINT_JSON_BOOL */
};

#define PRINT_JSON_MAX_FIELDS 24

static void print_json_add(struct print_json_field *f, size_t *n, const char *key,
			   enum print_json_kind kind, const char *str, long long num)
{
	f[(*n)++] = (struct print_json_field){ .key = key, .kind = kind, .str = str, .num = num };
}

static int print_json_field_cmp(const void *a, const void *b)
{
	return strcmp(((const struct print_json_field *)a)->key,
		      ((const struct print_json_field *)b)->key);
}

/*
 * The keys of node, sorted as json.dumps(sort_keys=True) sorts them:
 * gitlabber's four and children, plus with version > 0 the tree file's
 * GitLab facts.
 */
static size_t print_json_fields(const struct print_ctx *pc, const struct node *node, int version,
				struct print_json_field *f)
{
	static const char *const naming_names[] = { "name", "path" };
	static const char *const method_names[] = { "ssh", "http" };
	size_t n = 0;

	if (node->nchildren > 0)
		print_json_add(f, &n, "children", PRINT_JSON_CHILDREN, NULL, 0);
	print_json_add(f, &n, "name", PRINT_JSON_STRING, node->folder ? node->folder : "", 0);
	print_json_add(f, &n, "root_path", PRINT_JSON_STRING,
		       node->root_path ? node->root_path : "", 0);
	print_json_add(f, &n, "type", PRINT_JSON_STRING, node_type_name(node->type), 0);
	print_json_add(f, &n, "url", PRINT_JSON_STRING, print_url(pc, node), 0);
	if (version > 0 && node->type == NODE_ROOT) {
		print_json_add(f, &n, "glmirror_tree", PRINT_JSON_NUMBER, NULL, version);
		print_json_add(f, &n, "naming", PRINT_JSON_STRING, naming_names[pc->opts->naming],
			       0);
		print_json_add(f, &n, "method", PRINT_JSON_STRING, method_names[pc->opts->method],
			       0);
	} else if (version > 0) {
		const struct {
			const char *key, *value;
		} strs[] = {
			{ "gitlab_name", node->name },
			{ "gitlab_path", node->path },
			{ "full_path", node->full_path },
			{ "web_url", node->web_url },
			{ "http_url", node->http_url },
			{ "ssh_url", node->ssh_url },
			{ "last_activity_at", node->last_activity_at },
		};

		print_json_add(f, &n, "id", PRINT_JSON_NUMBER, NULL, node->id);
		print_json_add(f, &n, "parent_id", PRINT_JSON_NUMBER, NULL, node->parent_id);
		for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
			if (strs[i].value != NULL)
				print_json_add(f, &n, strs[i].key, PRINT_JSON_STRING, strs[i].value,
					       0);
		if (node->type == NODE_PROJECT) {
			/* null rather than absent: an empty repository has none. */
			print_json_add(f, &n, "default_branch", PRINT_JSON_STRING,
				       node->default_branch, 0);
			print_json_add(f, &n, "archived", PRINT_JSON_BOOL, NULL, node->archived);
			print_json_add(f, &n, "empty_repo", PRINT_JSON_BOOL, NULL,
				       node->empty_repo);
			print_json_add(f, &n, "shared", PRINT_JSON_BOOL, NULL, node->shared);
			/* Only when true, so a tree without such projects reads as before. */
			if (node->no_code)
				print_json_add(f, &n, "no_code_access", PRINT_JSON_BOOL, NULL, 1);
		}
	}
	qsort(f, n, sizeof(*f), print_json_field_cmp);
	return n;
}

static void print_json_node(const struct print_ctx *pc, const struct node *node, int version,
			    int indent)
{
	struct print_json_field f[PRINT_JSON_MAX_FIELDS];
	size_t i, k, n = print_json_fields(pc, node, version, f);

	fputs("{\n", pc->out);
	for (k = 0; k < n; k++) {
		fprintf(pc->out, "%*s\"%s\": ", indent + 2, "", f[k].key);
		switch (f[k].kind) {
		case PRINT_JSON_STRING:
			if (f[k].str == NULL)
				fputs("null", pc->out);
			else
				print_json_string(pc->out, f[k].str);
			break;
		case PRINT_JSON_NUMBER:
			fprintf(pc->out, "%lld", f[k].num);
			break;
		case PRINT_JSON_BOOL:
			fputs(f[k].num ? "true" : "false", pc->out);
			break;
		case PRINT_JSON_CHILDREN:
			fputs("[\n", pc->out);
			for (i = 0; i < node->nchildren; i++) {
				fprintf(pc->out, "%*s", indent + 4, "");
				print_json_node(pc, node->children[i], version, indent + 4);
				fputs(i + 1 < node->nchildren ? ",\n" : "\n", pc->out);
			}
			fprintf(pc->out, "%*s]", indent + 2, "");
			break;
		}
		fputs(k + 1 < n ? ",\n" : "\n", pc->out);
	}
	fprintf(pc->out, "%*s}", indent, "");
}

static int print_finish(FILE *out)
{
	if (fflush(out) != 0 || ferror(out))
		return glm_error_errno(GLM_EIO, errno ? errno : EIO, "cannot write the tree");
	return 0;
}

int print_json_tree(FILE *out, const struct node *root, const char *base_url,
		    const struct options *opts, int version)
{
	struct print_ctx pc = { .out = out, .base_url = base_url ? base_url : "", .opts = opts };

	print_json_node(&pc, root, version, 0);
	fputc('\n', out);
	return print_finish(out);
}

int print_tree(FILE *out, const struct node *root, const char *base_url, const struct options *opts)
{
	struct print_ctx pc = { .out = out, .base_url = base_url ? base_url : "", .opts = opts };
	int err = 0;

	switch (opts->print_format) {
	case PRINT_TREE:
		err = print_tree_text(&pc, root);
		break;
	case PRINT_JSON:
		return print_json_tree(out, root, base_url, opts, 0);
	case PRINT_YAML:
		err = print_yaml(&pc, root);
		break;
	}
	return err < 0 ? err : print_finish(out);
}
