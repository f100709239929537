/*
 * Patterns: a recursive-descent compiler from globre syntax (with its
 * embedded regular expressions) to a Thompson NFA over Unicode code points,
 * and a set-of-states simulation.  Every step is bounded by the number of
 * states, which is bounded by the pattern's length.
 */
#include "pattern.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "grow.h"
#include "utf8.h"

enum pattern_op {
	OP_CHAR,    /* one code point equal to c */
	OP_NOSLASH, /* one code point but '/' (glob "?" and "*") */
	OP_NONL,    /* one code point but '\n' (regex "." and glob "**") */
	OP_CLASS,   /* one code point in (or, negated, not in) class c */
	OP_SPLIT,   /* epsilon to out and out1 */
	OP_NOP,	    /* epsilon to out */
	OP_BOL,	    /* epsilon at the start of the subject */
	OP_EOL,	    /* epsilon at the end of the subject */
	OP_MATCH,
};

struct pattern_state {
	enum pattern_op op;
	uint32_t c;
	int out, out1; /* while compiling, dangling outs link into patch lists */
};

struct pattern_class {
	size_t first, n; /* ranges[first .. first+n) */
	int negate;
};

struct pattern {
	char *text;
	char *prefix;
	struct pattern_state *st;
	size_t nst, capst;
	uint32_t (*ranges)[2];
	size_t nranges, capranges;
	struct pattern_class *classes;
	size_t nclasses, capclasses;
	int start;
};

/* A fragment under construction: its entry and the list of its dangling outs. */
struct pattern_frag {
	int start;
	int outs; /* slot = state * 2 + (0: out, 1: out1); -1 ends the list */
};

struct pattern_parser {
	struct pattern *p;
	const unsigned char *s, *end;
	int depth;
};

#define PATTERN_MAX_DEPTH 32	   /* nesting of "(...)" */
#define PATTERN_INVALID	  0x110000 /* code points above this stand for invalid bytes */

static int pattern_fail(struct pattern_parser *ps, const char *what)
{
	return glm_error_set(GLM_EUSAGE, "bad pattern '%s': %s", ps->p->text, what);
}

/* Decodes one code point; an invalid byte decodes as PATTERN_INVALID + byte. */
static uint32_t pattern_utf8(const unsigned char *s, const unsigned char *end, size_t *len)
{
	uint32_t cp;

	if ((*len = utf8_decode(s, end, &cp)) == 0) {
		*len = 1;
		return PATTERN_INVALID + s[0];
	}
	return cp;
}

static int pattern_state_new(struct pattern_parser *ps, enum pattern_op op, uint32_t c)
{
	struct pattern *p = ps->p;
	struct pattern_state *grown;

	if (p->nst == PATTERN_MAX_STATES)
		return pattern_fail(ps, "too complex");
	if ((grown = grow_array(p->st, &p->capst, p->nst, sizeof(*grown), 64)) == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory compiling a pattern");
	p->st = grown;
	p->st[p->nst] = (struct pattern_state){ .op = op, .c = c, .out = -1, .out1 = -1 };
	return (int)p->nst++;
}

static int *pattern_slot(struct pattern *p, int slot)
{
	return slot & 1 ? &p->st[slot >> 1].out1 : &p->st[slot >> 1].out;
}

static void pattern_patch(struct pattern *p, int outs, int target)
{
	while (outs != -1) {
		int *field = pattern_slot(p, outs);

		outs = *field;
		*field = target;
	}
}

static int pattern_append(struct pattern *p, int l1, int l2)
{
	int head = l1, *field;

	if (l1 == -1)
		return l2;
	while (*(field = pattern_slot(p, l1)) != -1)
		l1 = *field;
	*field = l2;
	return head;
}

/* A fragment of one state whose out dangles. */
static int pattern_single(struct pattern_parser *ps, enum pattern_op op, uint32_t c,
			  struct pattern_frag *out)
{
	int s = pattern_state_new(ps, op, c);

	if (s < 0)
		return s;
	out->start = s;
	out->outs = s * 2;
	return 0;
}

static void pattern_concat(struct pattern *p, struct pattern_frag *a, const struct pattern_frag *b)
{
	pattern_patch(p, a->outs, b->start);
	a->outs = b->outs;
}

/* a* (min 0) or a+ (min 1) or a? (opt) */
static int pattern_repeat(struct pattern_parser *ps, struct pattern_frag *f, char q)
{
	int s = pattern_state_new(ps, OP_SPLIT, 0);

	if (s < 0)
		return s;
	ps->p->st[s].out = f->start;
	switch (q) {
	case '*':
		pattern_patch(ps->p, f->outs, s);
		f->start = s;
		f->outs = s * 2 + 1;
		break;
	case '+':
		pattern_patch(ps->p, f->outs, s);
		f->outs = s * 2 + 1;
		break;
	default: /* '?' */
		f->start = s;
		f->outs = pattern_append(ps->p, f->outs, s * 2 + 1);
		break;
	}
	return 0;
}

static int pattern_add_range(struct pattern_parser *ps, uint32_t lo, uint32_t hi)
{
	struct pattern *p = ps->p;
	uint32_t(*grown)[2] = grow_array(p->ranges, &p->capranges, p->nranges, sizeof(*grown), 16);

	if (grown == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory compiling a pattern");
	p->ranges = grown;
	p->ranges[p->nranges][0] = lo;
	p->ranges[p->nranges][1] = hi;
	p->nranges++;
	return 0;
}

/* The ranges of \d, \w, \s (ASCII) and their negations; 0 when c is none of them. */
static int pattern_class_escape(struct pattern_parser *ps, unsigned char c, int *negate)
{
	static const uint32_t digit[][2] = { { '0', '9' } };
	static const uint32_t word[][2] = {
		{ '0', '9' }, { 'A', 'Z' }, { '_', '_' }, { 'a', 'z' }
	};
	static const uint32_t space[][2] = { { '\t', '\r' }, { ' ', ' ' } };
	const uint32_t(*r)[2];
	size_t n, i;
	int err;

	switch (c | 0x20) {
	case 'd':
		r = digit, n = 1;
		break;
	case 'w':
		r = word, n = 4;
		break;
	case 's':
		r = space, n = 2;
		break;
	default:
		return 0;
	}
	*negate = c < 'a';
	for (i = 0; i < n; i++)
		if ((err = pattern_add_range(ps, r[i][0], r[i][1])) < 0)
			return err;
	return 1;
}

/* A single escaped code point after '\' (ps->s points past the backslash). */
static int pattern_escaped_char(struct pattern_parser *ps, uint32_t *out)
{
	static const char simple[] = "n\nt\tr\rf\fv\va\a";
	unsigned char c = *ps->s;
	const char *hit;
	size_t len, digits = 0, i;

	if ((hit = strchr(simple, c)) != NULL && c != '\0' && (hit - simple) % 2 == 0) {
		ps->s++;
		*out = (unsigned char)hit[1];
		return 0;
	}
	if (c == 'x')
		digits = 2;
	else if (c == 'u')
		digits = 4;
	if (digits) {
		uint32_t v = 0;

		if ((size_t)(ps->end - ps->s) < digits + 1)
			return pattern_fail(ps, "incomplete \\x or \\u escape");
		for (i = 1; i <= digits; i++) {
			unsigned char h = ps->s[i];

			if (h >= '0' && h <= '9')
				v = v * 16 + (h - '0');
			else if ((h | 0x20) >= 'a' && (h | 0x20) <= 'f')
				v = v * 16 + ((h | 0x20) - 'a' + 10);
			else
				return pattern_fail(ps, "bad \\x or \\u escape");
		}
		ps->s += digits + 1;
		*out = v;
		return 0;
	}
	if (c == '0') {
		ps->s++;
		*out = 0;
		return 0;
	}
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '1' && c <= '9'))
		return pattern_fail(ps, "unsupported escape in a regular expression");
	*out = pattern_utf8(ps->s, ps->end, &len);
	ps->s += len;
	return 0;
}

/* A one-state fragment matching the ranges added since first_range. */
static int pattern_class_state(struct pattern_parser *ps, size_t first_range, int negate,
			       struct pattern_frag *out)
{
	struct pattern *p = ps->p;
	struct pattern_class *grown =
		grow_array(p->classes, &p->capclasses, p->nclasses, sizeof(*grown), 8);

	if (grown == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory compiling a pattern");
	p->classes = grown;
	p->classes[p->nclasses] = (struct pattern_class){ .first = first_range,
							  .n = p->nranges - first_range,
							  .negate = negate };
	return pattern_single(ps, OP_CLASS, (uint32_t)p->nclasses++, out);
}

/* "[...]" with ps->s just past '['; Python's rules: a leading ']' is literal. */
static int pattern_class(struct pattern_parser *ps, struct pattern_frag *out)
{
	size_t first_range = ps->p->nranges;
	int err, first = 1, negate = 0;

	if (ps->s < ps->end && *ps->s == '^') {
		negate = 1;
		ps->s++;
	}
	for (;;) {
		uint32_t lo, hi;
		size_t len;
		int neg = 0;

		if (ps->s >= ps->end)
			return pattern_fail(ps, "unclosed '['");
		if (*ps->s == ']' && !first)
			break;
		first = 0;
		if (*ps->s == '\\') {
			ps->s++;
			if (ps->s >= ps->end)
				return pattern_fail(ps, "dangling '\\'");
			if ((err = pattern_class_escape(ps, *ps->s, &neg)) < 0)
				return err;
			if (err == 1) {
				if (neg)
					return pattern_fail(ps, "\\D, \\W or \\S inside '[...]'");
				ps->s++;
				continue;
			}
			if (*ps->s == 'b') { /* backspace inside a class */
				ps->s++;
				lo = '\b';
			} else if ((err = pattern_escaped_char(ps, &lo)) < 0) {
				return err;
			}
		} else {
			lo = pattern_utf8(ps->s, ps->end, &len);
			ps->s += len;
		}
		hi = lo;
		if (ps->end - ps->s >= 2 && ps->s[0] == '-' && ps->s[1] != ']') {
			ps->s++;
			if (*ps->s == '\\') {
				ps->s++;
				if (ps->s >= ps->end)
					return pattern_fail(ps, "dangling '\\'");
				if ((err = pattern_escaped_char(ps, &hi)) < 0)
					return err;
			} else {
				hi = pattern_utf8(ps->s, ps->end, &len);
				ps->s += len;
			}
			if (hi < lo)
				return pattern_fail(ps, "bad character range in '[...]'");
		}
		if ((err = pattern_add_range(ps, lo, hi)) < 0)
			return err;
	}
	ps->s++; /* ']' */
	return pattern_class_state(ps, first_range, negate, out);
}

static int pattern_regex_alt(struct pattern_parser *ps, struct pattern_frag *out);

static int pattern_regex_atom(struct pattern_parser *ps, struct pattern_frag *out)
{
	unsigned char c = *ps->s;
	uint32_t cp;
	size_t len, first;
	int err, neg;

	switch (c) {
	case '(':
		ps->s++;
		if (ps->s < ps->end && *ps->s == '?') {
			if (ps->end - ps->s < 2 || ps->s[1] != ':')
				return pattern_fail(ps, "only '(?:' groups are supported");
			ps->s += 2;
		}
		if (++ps->depth > PATTERN_MAX_DEPTH)
			return pattern_fail(ps, "groups nested too deeply");
		if ((err = pattern_regex_alt(ps, out)) < 0)
			return err;
		ps->depth--;
		if (ps->s >= ps->end || *ps->s != ')')
			return pattern_fail(ps, "unbalanced '('");
		ps->s++;
		return 0;
	case '[':
		ps->s++;
		return pattern_class(ps, out);
	case '.':
		ps->s++;
		return pattern_single(ps, OP_NONL, 0, out);
	case '^':
		ps->s++;
		return pattern_single(ps, OP_BOL, 0, out);
	case '$':
		ps->s++;
		return pattern_single(ps, OP_EOL, 0, out);
	case '*':
	case '+':
	case '?':
		return pattern_fail(ps, "nothing to repeat");
	case '\\':
		ps->s++;
		if (ps->s >= ps->end)
			return pattern_fail(ps, "dangling '\\'");
		if (*ps->s == 'A' || *ps->s == 'Z') {
			ps->s++;
			return pattern_single(ps, ps->s[-1] == 'A' ? OP_BOL : OP_EOL, 0, out);
		}
		first = ps->p->nranges;
		if ((err = pattern_class_escape(ps, *ps->s, &neg)) < 0)
			return err;
		if (err == 1) {
			ps->s++;
			return pattern_class_state(ps, first, neg, out);
		}
		if ((err = pattern_escaped_char(ps, &cp)) < 0)
			return err;
		return pattern_single(ps, OP_CHAR, cp, out);
	default:
		cp = pattern_utf8(ps->s, ps->end, &len);
		ps->s += len;
		return pattern_single(ps, OP_CHAR, cp, out);
	}
}

static int pattern_regex_concat(struct pattern_parser *ps, struct pattern_frag *out)
{
	int err, have = 0;

	while (ps->s < ps->end && *ps->s != '|' && *ps->s != ')') {
		struct pattern_frag f = { -1, -1 };

		if ((err = pattern_regex_atom(ps, &f)) < 0)
			return err;
		if (ps->s < ps->end && (*ps->s == '*' || *ps->s == '+' || *ps->s == '?')) {
			if ((err = pattern_repeat(ps, &f, (char)*ps->s)) < 0)
				return err;
			ps->s++;
			if (ps->s < ps->end && *ps->s == '?') /* lazy: same language */
				ps->s++;
			if (ps->s < ps->end && (*ps->s == '*' || *ps->s == '+' || *ps->s == '?'))
				return pattern_fail(ps, "multiple repeat");
		}
		if (have)
			pattern_concat(ps->p, out, &f);
		else
			*out = f;
		have = 1;
	}
	return have ? 0 : pattern_single(ps, OP_NOP, 0, out);
}

static int pattern_regex_alt(struct pattern_parser *ps, struct pattern_frag *out)
{
	int err;

	if ((err = pattern_regex_concat(ps, out)) < 0)
		return err;
	while (ps->s < ps->end && *ps->s == '|') {
		struct pattern_frag b = { -1, -1 };
		int s;

		ps->s++;
		if ((err = pattern_regex_concat(ps, &b)) < 0)
			return err;
		if ((s = pattern_state_new(ps, OP_SPLIT, 0)) < 0)
			return s;
		ps->p->st[s].out = out->start;
		ps->p->st[s].out1 = b.start;
		out->start = s;
		out->outs = pattern_append(ps->p, out->outs, b.outs);
	}
	return 0;
}

/* "{...}": a regular expression up to the first '}'. */
static int pattern_regex(struct pattern_parser *ps, struct pattern_frag *out)
{
	const unsigned char *close = memchr(ps->s, '}', (size_t)(ps->end - ps->s));
	const unsigned char *end = ps->end;
	int err;

	if (close == NULL)
		return pattern_fail(ps, "unclosed '{'");
	ps->end = close;
	err = pattern_regex_alt(ps, out);
	if (err == 0 && ps->s != close)
		err = pattern_fail(ps, "unbalanced ')'");
	ps->end = end;
	ps->s = close + 1;
	return err;
}

/* The glob level; records the literal run before the first wildcard. */
static int pattern_glob(struct pattern_parser *ps, struct pattern_frag *out, size_t *literal)
{
	int err, have = 0, in_literal = 1;

	*literal = 0;
	while (ps->s < ps->end) {
		struct pattern_frag f = { -1, -1 };
		unsigned char c = *ps->s;
		uint32_t cp;
		size_t len;

		if (c == '*') {
			int two = ps->end - ps->s >= 2 && ps->s[1] == '*';

			ps->s += two ? 2 : 1;
			if ((err = pattern_single(ps, two ? OP_NONL : OP_NOSLASH, 0, &f)) < 0 ||
			    (err = pattern_repeat(ps, &f, '*')) < 0)
				return err;
			in_literal = 0;
		} else if (c == '?') {
			ps->s++;
			if ((err = pattern_single(ps, OP_NOSLASH, 0, &f)) < 0)
				return err;
			in_literal = 0;
		} else if (c == '[') {
			ps->s++;
			if ((err = pattern_class(ps, &f)) < 0)
				return err;
			in_literal = 0;
		} else if (c == '{') {
			ps->s++;
			if ((err = pattern_regex(ps, &f)) < 0)
				return err;
			in_literal = 0;
		} else {
			if (c == '\\') {
				ps->s++;
				if (ps->s >= ps->end)
					return pattern_fail(ps, "dangling '\\'");
			}
			cp = pattern_utf8(ps->s, ps->end, &len);
			if (in_literal) {
				if (c == '\\' || cp >= PATTERN_INVALID)
					in_literal = 0; /* keep the prefix a plain copy of text */
				else
					*literal = (size_t)(ps->s + len -
							    (const unsigned char *)ps->p->text);
			}
			ps->s += len;
			if ((err = pattern_single(ps, OP_CHAR, cp, &f)) < 0)
				return err;
		}
		if (have)
			pattern_concat(ps->p, out, &f);
		else
			*out = f;
		have = 1;
	}
	return have ? 0 : pattern_single(ps, OP_NOP, 0, out);
}

int pattern_compile(struct pattern **out, const char *text)
{
	struct pattern_parser ps = { 0 };
	struct pattern_frag f = { -1, -1 };
	struct pattern *p;
	size_t len = strlen(text), literal, cut;
	int err = GLM_ENOMEM, m;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL || (p->text = strdup(text)) == NULL) {
		err = glm_error_set(GLM_ENOMEM, "out of memory compiling a pattern");
		goto out;
	}
	ps.p = p;
	if (len > PATTERN_MAX_LEN) {
		err = glm_error_set(GLM_EUSAGE,
				    "pattern '%.40s...' is too long (%zu bytes; at most %d)", text,
				    len, PATTERN_MAX_LEN);
		goto out;
	}
	ps.s = (const unsigned char *)p->text;
	ps.end = ps.s + len;
	if ((err = pattern_glob(&ps, &f, &literal)) < 0 ||
	    (err = m = pattern_state_new(&ps, OP_MATCH, 0)) < 0)
		goto out;
	pattern_patch(p, f.outs, m);
	p->start = f.start;
	for (cut = literal; cut > 0 && text[cut - 1] != '/'; cut--)
		;
	if ((p->prefix = strndup(text, cut > 0 ? cut - 1 : 0)) == NULL) {
		err = glm_error_set(GLM_ENOMEM, "out of memory compiling a pattern");
		goto out;
	}
	*out = p;
	p = NULL;
	err = 0;
out:
	pattern_free(p);
	return err;
}

static int pattern_class_has(const struct pattern *p, uint32_t ci, uint32_t cp)
{
	const struct pattern_class *cls = &p->classes[ci];
	size_t i;

	if (cp >= PATTERN_INVALID)
		return 0;
	for (i = 0; i < cls->n; i++)
		if (cp >= p->ranges[cls->first + i][0] && cp <= p->ranges[cls->first + i][1])
			return !cls->negate;
	return cls->negate;
}

struct pattern_run {
	const struct pattern *p;
	int *cur, *next, *stack;
	size_t ncur, nnext;
	unsigned *mark;
	unsigned gen;
};

/* Adds s and everything reachable from it by epsilon moves to run->next. */
static void pattern_add(struct pattern_run *run, int s, int at_start, int at_end)
{
	size_t sp = 0;

	run->stack[sp++] = s;
	while (sp > 0) {
		const struct pattern_state *st;

		s = run->stack[--sp];
		if (run->mark[s] == run->gen)
			continue;
		run->mark[s] = run->gen;
		st = &run->p->st[s];
		switch (st->op) {
		case OP_SPLIT:
			run->stack[sp++] = st->out1;
			run->stack[sp++] = st->out;
			break;
		case OP_NOP:
			run->stack[sp++] = st->out;
			break;
		case OP_BOL:
			if (at_start)
				run->stack[sp++] = st->out;
			break;
		case OP_EOL:
			if (at_end)
				run->stack[sp++] = st->out;
			break;
		default:
			run->next[run->nnext++] = s;
			break;
		}
	}
}

static int pattern_step_ok(const struct pattern *p, const struct pattern_state *st, uint32_t cp)
{
	switch (st->op) {
	case OP_CHAR:
		return cp == st->c;
	case OP_NOSLASH:
		return cp != '/';
	case OP_NONL:
		return cp != '\n';
	case OP_CLASS:
		return pattern_class_has(p, st->c, cp);
	default:
		return 0;
	}
}

int pattern_match(const struct pattern *p, const char *subject)
{
	const unsigned char *s = (const unsigned char *)subject;
	const unsigned char *end = s + strlen(subject);
	struct pattern_run run = { .p = p };
	size_t i, len;
	uint32_t cp;
	int matched = 0, *swap;

	run.cur = malloc(p->nst * sizeof(int));
	run.next = malloc(p->nst * sizeof(int));
	/* Every state is pushed at most once per incoming edge: at most two each. */
	run.stack = malloc((2 * p->nst + 1) * sizeof(int));
	run.mark = calloc(p->nst, sizeof(unsigned));
	if (run.cur == NULL || run.next == NULL || run.stack == NULL || run.mark == NULL) {
		matched = glm_error_set(GLM_ENOMEM, "out of memory matching a pattern");
		goto out;
	}
	run.gen = 1;
	pattern_add(&run, p->start, 1, s == end);
	for (;;) {
		swap = run.cur, run.cur = run.next, run.next = swap;
		run.ncur = run.nnext, run.nnext = 0;
		if (s == end || run.ncur == 0)
			break;
		cp = pattern_utf8(s, end, &len);
		s += len;
		run.gen++;
		for (i = 0; i < run.ncur; i++) {
			const struct pattern_state *st = &p->st[run.cur[i]];

			if (pattern_step_ok(p, st, cp))
				pattern_add(&run, st->out, 0, s == end);
		}
	}
	for (i = 0; s == end && i < run.ncur; i++)
		if (p->st[run.cur[i]].op == OP_MATCH)
			matched = 1;
out:
	free(run.cur);
	free(run.next);
	free(run.stack);
	free(run.mark);
	return matched;
}

const char *pattern_literal_prefix(const struct pattern *p)
{
	return p->prefix;
}

const char *pattern_text(const struct pattern *p)
{
	return p->text;
}

void pattern_free(struct pattern *p)
{
	if (p == NULL)
		return;
	free(p->text);
	free(p->prefix);
	free(p->st);
	free(p->ranges);
	free(p->classes);
	free(p);
}
