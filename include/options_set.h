/*
 * Setting one option from its value (options_set.c): the typed setters of
 * the table's rows and the handlers of the options that need code.
 */
#ifndef GLM_OPTIONS_SET_H
#define GLM_OPTIONS_SET_H

#include <stddef.h>

#include "options_table.h"

/*
 * Applies options_table[row] to p->o with value (NULL for an option that
 * takes none), from the command line or from the row's environment
 * variable.  Returns 0 or a negative GLM_E* with the message set.
 */
int options_set_row(struct options_state *p, size_t row, const char *value, int from_env);

/* GITLAB_TOKEN_FILE, then GITLAB_TOKEN, when no option gave a token. */
int options_set_env_token(struct options_state *p);

/* Replaces *field (owned) with a copy of value. */
int options_set_string(char **field, const char *value);
/* *out (owned) becomes the first line of the file at path, trimmed. */
int options_set_read_token_file(const char *path, char **out);

options_call_fn options_set_token;
options_call_fn options_set_token_file;
options_call_fn options_set_group;
options_call_fn options_set_git_options;
options_call_fn options_set_rate;
options_call_fn options_set_size;
options_call_fn options_set_shard;
options_call_fn options_set_log_format;

#endif
