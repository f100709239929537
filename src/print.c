/*
 * -p output, byte for byte what gitlabber prints where it can be:
 *  - tree: anytree's RenderTree ("root [URL]", then "<prefix>name [root_path]");
 *  - json: anytree's JsonExporter(indent=2, sort_keys=True), i.e. Python's
 *    json.dumps with its default ensure_ascii (non-ASCII as \uXXXX);
 *  - yaml: PyYAML's yaml.dump(default_flow_style=False) of the same dict
 *    (plain, single- or double-quoted scalars chosen as PyYAML chooses them,
 *    non-ASCII escaped, long scalars folded at 80 columns), plus print()'s
 *    newline.
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
#include "pattern.h"
#include "utf8.h"

struct print_ctx {
	FILE *out;
	const char *base_url;
	const struct options *opts;
};

static const char *print_url(const struct print_ctx *pc, const struct node *node)
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

/* --- yaml: the parts of PyYAML's emitter that our scalars reach --- */

#define YAML_WIDTH 80

/* PyYAML's YAML 1.1 implicit resolvers: a plain scalar matching one is not a string. */
static const char *const yaml_resolvers[] = {
	"{yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF}",
	"{[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
	"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+}",
	"{[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
	"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)"
	"|\\.(?:nan|NaN|NAN)}",
	"{~|null|Null|NULL|<<|=|!|&|\\*}",
	"{[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
	"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9][0-9]"
	":[0-9][0-9](?:\\.[0-9]*)?(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?}",
};

#define YAML_NRESOLVERS (sizeof(yaml_resolvers) / sizeof(yaml_resolvers[0]))

struct yaml_out {
	FILE *out;
	struct pattern *resolvers[YAML_NRESOLVERS];
	size_t column;
	size_t indent; /* of the scalar being written: its mapping's indent + 2 */
};

/* A decoded scalar: code points, invalid bytes as U+FFFD. */
struct yaml_text {
	uint32_t *cp;
	size_t n;
};

static int yaml_is_break(uint32_t c)
{
	return c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

static int yaml_is_space_or_end(const struct yaml_text *t, size_t i)
{
	return i >= t->n || t->cp[i] == 0 || t->cp[i] == ' ' || t->cp[i] == '\t' ||
	       t->cp[i] == '\r' || yaml_is_break(t->cp[i]);
}

enum yaml_style { YAML_PLAIN, YAML_SINGLE, YAML_DOUBLE };

/* PyYAML's analyze_scalar + choose_scalar_style for a block mapping value. */
static int yaml_choose(struct yaml_out *y, const char *s, const struct yaml_text *t)
{
	int block_ind = 0, special = 0, lead_space = 0, trail_space = 0, lead_break = 0;
	int trail_break = 0, break_space = 0, space_break = 0, line_breaks = 0;
	int prev_space = 0, prev_break = 0, preceded_ws = 1, followed_ws, plain, single;
	size_t i, r;

	if (t->n == 0)
		return YAML_SINGLE; /* '' resolves to null */
	if (t->n >= 3 && ((t->cp[0] == '-' && t->cp[1] == '-' && t->cp[2] == '-') ||
			  (t->cp[0] == '.' && t->cp[1] == '.' && t->cp[2] == '.')))
		block_ind = 1;
	for (i = 0; i < t->n; i++) {
		uint32_t c = t->cp[i];

		followed_ws = yaml_is_space_or_end(t, i + 1);
		if (i == 0) {
			if (strchr("#,[]{}&*!|>'\"%@`", (int)c) != NULL && c != 0)
				block_ind = 1;
			if ((c == '?' || c == ':' || c == '-') && followed_ws)
				block_ind = 1;
		} else {
			if (c == ':' && followed_ws)
				block_ind = 1;
			if (c == '#' && preceded_ws)
				block_ind = 1;
		}
		if (yaml_is_break(c))
			line_breaks = 1;
		if (!(c == '\n' || (c >= 0x20 && c <= 0x7e)))
			special = 1; /* non-ASCII too: PyYAML's default allow_unicode=False */
		if (c == ' ') {
			lead_space |= i == 0;
			trail_space |= i + 1 == t->n;
			break_space |= prev_break;
			prev_space = 1;
			prev_break = 0;
		} else if (yaml_is_break(c)) {
			lead_break |= i == 0;
			trail_break |= i + 1 == t->n;
			space_break |= prev_space;
			prev_space = 0;
			prev_break = 1;
		} else {
			prev_space = prev_break = 0;
		}
		preceded_ws = c == 0 || c == ' ' || c == '\t' || c == '\r' || yaml_is_break(c);
	}
	plain = !(lead_space || lead_break || trail_space || trail_break || break_space ||
		  space_break || special || line_breaks || block_ind);
	single = !(break_space || space_break || special);
	for (r = 0; plain && r < YAML_NRESOLVERS; r++) {
		int m = pattern_match(y->resolvers[r], s);

		if (m < 0)
			return m;
		plain = !m;
	}
	return plain ? YAML_PLAIN : single ? YAML_SINGLE : YAML_DOUBLE;
}

static void yaml_put_cps(struct yaml_out *y, const struct yaml_text *t, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		fputc((int)t->cp[i], y->out); /* plain and single-quoted text is ASCII */
	if (to > from)
		y->column += to - from;
}

static void yaml_put(struct yaml_out *y, const char *s)
{
	fputs(s, y->out);
	y->column += strlen(s);
}

static void yaml_write_indent(struct yaml_out *y)
{
	fputc('\n', y->out);
	fprintf(y->out, "%*s", (int)y->indent, "");
	y->column = y->indent;
}

/*
 * PyYAML's write_plain and write_single_quoted: a lone space past column 80
 * folds; in single quotes a run of n line breaks is written as n + 1 (the
 * first one folds) and the text goes on at the indent.  Plain scalars never
 * hold line breaks.
 */
static void yaml_write_folded(struct yaml_out *y, const struct yaml_text *t, int quoted)
{
	size_t start = 0, end, k;
	int spaces = 0, breaks = 0;

	yaml_put(y, quoted ? " '" : " ");
	for (end = 0; end <= t->n; end++) {
		uint32_t ch = end < t->n ? t->cp[end] : 0;
		int at_end = end == t->n;

		if (spaces) {
			if (at_end || ch != ' ') {
				if (start + 1 == end && y->column > YAML_WIDTH &&
				    (!quoted || (start != 0 && end != t->n)))
					yaml_write_indent(y);
				else
					yaml_put_cps(y, t, start, end);
				start = end;
			}
		} else if (breaks) {
			if (at_end || ch != '\n') {
				fputc('\n', y->out); /* the fold of the first break */
				for (k = start; k < end; k++)
					fputc('\n', y->out);
				fprintf(y->out, "%*s", (int)y->indent, "");
				y->column = y->indent;
				start = end;
			}
		} else if (at_end || ch == ' ' || ch == '\n' || (quoted && ch == '\'')) {
			yaml_put_cps(y, t, start, end);
			start = end;
		}
		if (quoted && !at_end && ch == '\'') {
			yaml_put(y, "''");
			start = end + 1;
		}
		spaces = !at_end && ch == ' ';
		breaks = !at_end && ch == '\n';
	}
	if (quoted)
		yaml_put(y, "'");
}

static void yaml_escape(struct yaml_out *y, uint32_t ch)
{
	static const char repl_from[] = { 0, 7, 8, 9, 10, 11, 12, 13, 27, '"', '\\' };
	static const char repl_to[] = "0abtnvfre\"\\";
	char buf[16];
	size_t i;

	for (i = 0; i < sizeof(repl_from); i++)
		if (ch == (uint32_t)repl_from[i]) {
			snprintf(buf, sizeof(buf), "\\%c", repl_to[i]);
			yaml_put(y, buf);
			return;
		}
	if (ch == 0x85)
		snprintf(buf, sizeof(buf), "\\N");
	else if (ch == 0xa0)
		snprintf(buf, sizeof(buf), "\\_");
	else if (ch == 0x2028)
		snprintf(buf, sizeof(buf), "\\L");
	else if (ch == 0x2029)
		snprintf(buf, sizeof(buf), "\\P");
	else if (ch <= 0xff)
		snprintf(buf, sizeof(buf), "\\x%02X", ch);
	else if (ch <= 0xffff)
		snprintf(buf, sizeof(buf), "\\u%04X", ch);
	else
		snprintf(buf, sizeof(buf), "\\U%08X", ch);
	yaml_put(y, buf);
}

/* PyYAML's write_double_quoted with allow_unicode=False. */
static void yaml_write_double(struct yaml_out *y, const struct yaml_text *t)
{
	size_t start = 0, end;

	yaml_put(y, " \"");
	for (end = 0; end <= t->n; end++) {
		int at_end = end == t->n;
		uint32_t ch = at_end ? 0 : t->cp[end];

		if (at_end || ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 ||
		    ch == 0x2029 || ch == 0xfeff || !(ch >= 0x20 && ch <= 0x7e)) {
			yaml_put_cps(y, t, start, end);
			start = end;
			if (!at_end) {
				yaml_escape(y, ch);
				start = end + 1;
			}
		}
		/* start may be end + 1 after an escape, as in PyYAML. */
		if (end > 0 && end + 1 < t->n && (ch == ' ' || start >= end) &&
		    (long)y->column + (long)end - (long)start > YAML_WIDTH) {
			yaml_put_cps(y, t, start, end);
			if (start < end)
				start = end;
			yaml_put(y, "\\");
			yaml_write_indent(y);
			if (t->cp[start] == ' ')
				yaml_put(y, "\\");
		}
	}
	yaml_put(y, "\"");
}

static int yaml_scalar(struct yaml_out *y, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	struct yaml_text t = { .cp = malloc((strlen(s) + 1) * sizeof(uint32_t)) };
	size_t len;
	int style;

	if (t.cp == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory printing");
	for (; p < end; p += len) {
		if ((len = utf8_decode(p, end, &t.cp[t.n])) == 0) {
			t.cp[t.n] = 0xfffd;
			len = 1;
		}
		t.n++;
	}
	if ((style = yaml_choose(y, s, &t)) < 0) {
		free(t.cp);
		return style;
	}
	if (style == YAML_DOUBLE)
		yaml_write_double(y, &t);
	else
		yaml_write_folded(y, &t, style == YAML_SINGLE);
	free(t.cp);
	return 0;
}

static int yaml_key(struct yaml_out *y, size_t indent, int first, const char *key, const char *v)
{
	int err;

	if (!first) {
		fprintf(y->out, "%*s", (int)indent, "");
		y->column = indent;
	}
	yaml_put(y, key);
	yaml_put(y, ":");
	y->indent = indent + 2;
	if (v == NULL)
		yaml_put(y, " null");
	else if ((err = yaml_scalar(y, v)) < 0)
		return err;
	fputc('\n', y->out);
	y->column = 0;
	return 0;
}

/* One mapping at indent; with first set its first key follows "- " already written. */
static int yaml_node(struct yaml_out *y, const struct print_ctx *pc, const struct node *node,
		     size_t indent, int first)
{
	size_t i;
	int err;

	if (node->nchildren > 0) {
		if (!first)
			fprintf(y->out, "%*s", (int)indent, "");
		fputs("children:\n", y->out);
		for (i = 0; i < node->nchildren; i++) {
			fprintf(y->out, "%*s- ", (int)indent, "");
			y->column = indent + 2;
			if ((err = yaml_node(y, pc, node->children[i], indent + 2, 1)) < 0)
				return err;
		}
		first = 0;
	}
	if ((err = yaml_key(y, indent, first, "name", node->folder ? node->folder : "")) < 0 ||
	    (err = yaml_key(y, indent, 0, "root_path", node->root_path ? node->root_path : "")) <
		    0 ||
	    (err = yaml_key(y, indent, 0, "type", node_type_name(node->type))) < 0 ||
	    (err = yaml_key(y, indent, 0, "url", print_url(pc, node))) < 0)
		return err;
	return 0;
}

static int print_yaml(const struct print_ctx *pc, const struct node *root)
{
	struct yaml_out y = { .out = pc->out };
	size_t i;
	int err = 0;

	for (i = 0; i < YAML_NRESOLVERS && err == 0; i++)
		err = pattern_compile(&y.resolvers[i], yaml_resolvers[i]);
	if (err == 0)
		err = yaml_node(&y, pc, root, 0, 0);
	if (err == 0)
		fputc('\n', pc->out); /* print() after yaml.dump's own newline */
	for (i = 0; i < YAML_NRESOLVERS; i++)
		pattern_free(y.resolvers[i]);
	return err;
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
