/* --help and --version (options_help.c); --help is written from the option table. */
#ifndef GLM_OPTIONS_HELP_H
#define GLM_OPTIONS_HELP_H

#include "options_table.h"

options_call_fn options_help_print;
options_call_fn options_help_version;

#endif
