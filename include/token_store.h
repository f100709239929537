/*
 * --store-token: gitlabber's command that puts the token into the keyring
 * for the URL and exits.
 */
#ifndef GLM_TOKEN_STORE_H
#define GLM_TOKEN_STORE_H

#include "options.h"

/*
 * Stores opts->token (from -t or --token-file), or else the token read from
 * standard input (from a terminal with echo off, after a prompt), in the
 * keyring for opts->url, and says so on stdout.  0, or a negative GLM_E*.
 */
int token_store_run(const struct options *opts);

#endif
