/*
 * gitlabber's -i/-x patterns (globre, Cocoon style), matched against a
 * node's root_path ("/Group Name/Sub/project"): "?" one character but "/",
 * "*" any run without "/", "**" any run, "[...]" a character class, "{...}"
 * a regular expression up to the first "}", "\" escapes; a match covers the
 * whole string.  Patterns compile to a Thompson automaton that is run as a
 * set of states, so matching is linear in the subject whatever the pattern
 * (no backtracking).
 */
#ifndef GLM_PATTERN_H
#define GLM_PATTERN_H

#define PATTERN_MAX_LEN	   1024 /* bytes of one pattern */
#define PATTERN_MAX_STATES 8192 /* automaton states of one pattern */

struct pattern;

/* Compiles text.  A bad or too large pattern is GLM_EUSAGE naming it. */
int pattern_compile(struct pattern **out, const char *text); /* caller owns *out */
/* 1 when subject matches as a whole, 0 when not, GLM_ENOMEM. */
int pattern_match(const struct pattern *pattern, const char *subject);
/*
 * The whole leading path components every match starts with: "/MyGroup/Sub"
 * when the pattern is that, a slash and "**"; "" for "/a**" (which matches
 * "/ab" too) or "**".  A crawl may skip groups outside it.  Borrowed.
 */
const char *pattern_literal_prefix(const struct pattern *pattern);
const char *pattern_text(const struct pattern *pattern); /* borrowed */
void pattern_free(struct pattern *pattern);		 /* accepts NULL */

#endif
