/*
 * The one list of glmirror's options: each row gives an option's names, its
 * value, its line of --help, the environment variable it falls back to and
 * what it does to struct options.  The parser (options.c), the environment,
 * --help (options_help.c) and the documentation test read only this table.
 */
#ifndef GLM_OPTIONS_TABLE_H
#define GLM_OPTIONS_TABLE_H

#include <stddef.h>

#include "options.h"

/* Rows at most: sizes the parser's arrays; options_table.c asserts it. */
#define OPTIONS_TABLE_MAX 64

/* How a row's value reaches struct options. */
enum options_kind {
	OPTIONS_ON,	  /* the int at .field becomes 1 */
	OPTIONS_OFF,	  /* the int at .field becomes 0 */
	OPTIONS_IGNORED,  /* accepted for gitlabber; does nothing */
	OPTIONS_STRING,	  /* a copy of the value into the char * at .field */
	OPTIONS_INT,	  /* a whole number from .lo to .hi into the int at .field */
	OPTIONS_CHOICE,	  /* the index of the value in .names into the enum at .field */
	OPTIONS_PATTERNS, /* comma-separated, trimmed items into the list at .field */
	OPTIONS_CALL,	  /* .call does it */
};

/* One run of options_parse(): what the rows' setters share. */
struct options_state {
	struct options *o;
	const char *token_file;	    /* --token-file; points into argv */
	const char *env_token_file; /* GITLAB_TOKEN_FILE; points into the environment */
	const char *env_token;	    /* GITLAB_TOKEN; points into the environment */
	int token_in_argv;
	int exit_now;			       /* --help or --version has printed */
	unsigned char seen[OPTIONS_TABLE_MAX]; /* by row: given on the command line */
};

/*
 * what names the source in error messages ("--url" or "GITLAB_URL"),
 * from_env says which it is.  Returns 0 or a negative GLM_E* with the
 * message set.
 */
typedef int options_call_fn(struct options_state *p, const char *what, const char *value,
			    int from_env);

struct options_row {
	const char *name;    /* long option without the dashes */
	char letter;	     /* short option, or 0 */
	const char *arg;     /* the value's name in --help; NULL: takes no value */
	const char *heading; /* --help starts a section with it before this row */
	const char *help;    /* --help text, wrapped when printed */
	const char *env;     /* read when the option is not given; NULL: none */
	enum options_kind kind;
	size_t field;		  /* offsetof(struct options, ...) */
	size_t count;		  /* OPTIONS_PATTERNS: offsetof the list's size_t count */
	int lo, hi;		  /* OPTIONS_INT */
	const char *const *names; /* OPTIONS_CHOICE; NULL-terminated */
	options_call_fn *call;	  /* OPTIONS_CALL */
};

extern const struct options_row options_table[];
extern const size_t options_table_len;

#endif
