/*
 * -p yaml (print.h): byte for byte what gitlabber prints, PyYAML's
 * yaml.dump(default_flow_style=False) of the same dict as -p json, plus
 * print()'s newline.  Only the parts of PyYAML's emitter that our scalars
 * reach: plain, single- or double-quoted scalars chosen as PyYAML chooses
 * them, non-ASCII escaped, long scalars folded at 80 columns.
 */
#include "print.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pattern.h"
#include "utf8.h"

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

static int print_yaml_is_break(uint32_t c)
{
	return c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

static int print_yaml_is_space_or_end(const struct yaml_text *t, size_t i)
{
	return i >= t->n || t->cp[i] == 0 || t->cp[i] == ' ' || t->cp[i] == '\t' ||
	       t->cp[i] == '\r' || print_yaml_is_break(t->cp[i]);
}

enum yaml_style { YAML_PLAIN, YAML_SINGLE, YAML_DOUBLE };

/* PyYAML's analyze_scalar + choose_scalar_style for a block mapping value. */
static int print_yaml_choose(struct yaml_out *y, const char *s, const struct yaml_text *t)
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

		followed_ws = print_yaml_is_space_or_end(t, i + 1);
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
		if (print_yaml_is_break(c))
			line_breaks = 1;
		if (!(c == '\n' || (c >= 0x20 && c <= 0x7e)))
			special = 1; /* non-ASCII too: PyYAML's default allow_unicode=False */
		if (c == ' ') {
			lead_space |= i == 0;
			trail_space |= i + 1 == t->n;
			break_space |= prev_break;
			prev_space = 1;
			prev_break = 0;
		} else if (print_yaml_is_break(c)) {
			lead_break |= i == 0;
			trail_break |= i + 1 == t->n;
			space_break |= prev_space;
			prev_space = 0;
			prev_break = 1;
		} else {
			prev_space = prev_break = 0;
		}
		preceded_ws =
			c == 0 || c == ' ' || c == '\t' || c == '\r' || print_yaml_is_break(c);
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

static void print_yaml_put_cps(struct yaml_out *y, const struct yaml_text *t, size_t from,
			       size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		fputc((int)t->cp[i], y->out); /* plain and single-quoted text is ASCII */
	if (to > from)
		y->column += to - from;
}

static void print_yaml_put(struct yaml_out *y, const char *s)
{
	fputs(s, y->out);
	y->column += strlen(s);
}

static void print_yaml_write_indent(struct yaml_out *y)
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
static void print_yaml_write_folded(struct yaml_out *y, const struct yaml_text *t, int quoted)
{
	size_t start = 0, end, k;
	int spaces = 0, breaks = 0;

	print_yaml_put(y, quoted ? " '" : " ");
	for (end = 0; end <= t->n; end++) {
		uint32_t ch = end < t->n ? t->cp[end] : 0;
		int at_end = end == t->n;

		if (spaces) {
			if (at_end || ch != ' ') {
				if (start + 1 == end && y->column > YAML_WIDTH &&
				    (!quoted || (start != 0 && end != t->n)))
					print_yaml_write_indent(y);
				else
					print_yaml_put_cps(y, t, start, end);
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
			print_yaml_put_cps(y, t, start, end);
			start = end;
		}
		if (quoted && !at_end && ch == '\'') {
			print_yaml_put(y, "''");
			start = end + 1;
		}
		spaces = !at_end && ch == ' ';
		breaks = !at_end && ch == '\n';
	}
	if (quoted)
		print_yaml_put(y, "'");
}

static void print_yaml_escape(struct yaml_out *y, uint32_t ch)
{
	static const char repl_from[] = { 0, 7, 8, 9, 10, 11, 12, 13, 27, '"', '\\' };
	static const char repl_to[] = "0abtnvfre\"\\";
	char buf[16];
	size_t i;

	for (i = 0; i < sizeof(repl_from); i++)
		if (ch == (uint32_t)repl_from[i]) {
			snprintf(buf, sizeof(buf), "\\%c", repl_to[i]);
			print_yaml_put(y, buf);
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
	print_yaml_put(y, buf);
}

/* PyYAML's write_double_quoted with allow_unicode=False. */
static void print_yaml_write_double(struct yaml_out *y, const struct yaml_text *t)
{
	size_t start = 0, end;

	print_yaml_put(y, " \"");
	for (end = 0; end <= t->n; end++) {
		int at_end = end == t->n;
		uint32_t ch = at_end ? 0 : t->cp[end];

		if (at_end || ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 ||
		    ch == 0x2029 || ch == 0xfeff || !(ch >= 0x20 && ch <= 0x7e)) {
			print_yaml_put_cps(y, t, start, end);
			start = end;
			if (!at_end) {
				print_yaml_escape(y, ch);
				start = end + 1;
			}
		}
		/* start may be end + 1 after an escape, as in PyYAML. */
		if (end > 0 && end + 1 < t->n && (ch == ' ' || start >= end) &&
		    (long)y->column + (long)end - (long)start > YAML_WIDTH) {
			print_yaml_put_cps(y, t, start, end);
			if (start < end)
				start = end;
			print_yaml_put(y, "\\");
			print_yaml_write_indent(y);
			if (t->cp[start] == ' ')
				print_yaml_put(y, "\\");
		}
	}
	print_yaml_put(y, "\"");
}

static int print_yaml_scalar(struct yaml_out *y, const char *s)
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
	if ((style = print_yaml_choose(y, s, &t)) < 0) {
		free(t.cp);
		return style;
	}
	if (style == YAML_DOUBLE)
		print_yaml_write_double(y, &t);
	else
		print_yaml_write_folded(y, &t, style == YAML_SINGLE);
	free(t.cp);
	return 0;
}

static int print_yaml_key(struct yaml_out *y, size_t indent, int first, const char *key,
			  const char *v)
{
	int err;

	if (!first) {
		fprintf(y->out, "%*s", (int)indent, "");
		y->column = indent;
	}
	print_yaml_put(y, key);
	print_yaml_put(y, ":");
	y->indent = indent + 2;
	if (v == NULL)
		print_yaml_put(y, " null");
	else if ((err = print_yaml_scalar(y, v)) < 0)
		return err;
	fputc('\n', y->out);
	y->column = 0;
	return 0;
}

/* One mapping at indent; with first set its first key follows "- " already written. */
static int print_yaml_node(struct yaml_out *y, const struct print_ctx *pc, const struct node *node,
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
			if ((err = print_yaml_node(y, pc, node->children[i], indent + 2, 1)) < 0)
				return err;
		}
		first = 0;
	}
	if ((err = print_yaml_key(y, indent, first, "name", node->folder ? node->folder : "")) <
		    0 ||
	    (err = print_yaml_key(y, indent, 0, "root_path",
				  node->root_path ? node->root_path : "")) < 0 ||
	    (err = print_yaml_key(y, indent, 0, "type", node_type_name(node->type))) < 0 ||
	    (err = print_yaml_key(y, indent, 0, "url", print_url(pc, node))) < 0)
		return err;
	return 0;
}

int print_yaml(const struct print_ctx *pc, const struct node *root)
{
	struct yaml_out y = { .out = pc->out };
	size_t i;
	int err = 0;

	for (i = 0; i < YAML_NRESOLVERS && err == 0; i++)
		err = pattern_compile(&y.resolvers[i], yaml_resolvers[i]);
	if (err == 0)
		err = print_yaml_node(&y, pc, root, 0, 0);
	if (err == 0)
		fputc('\n', pc->out); /* print() after yaml.dump's own newline */
	for (i = 0; i < YAML_NRESOLVERS; i++)
		pattern_free(y.resolvers[i]);
	return err;
}
