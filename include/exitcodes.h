/* Exit codes, shared by main(), the README, the man page and the tests. */
#ifndef GLM_EXITCODES_H
#define GLM_EXITCODES_H

#define EXIT_OK	       0   /* everything asked for was done */
#define EXIT_PARTIAL   1   /* some groups or projects failed; the rest is done */
#define EXIT_USAGE     2   /* bad option, value or configuration */
#define EXIT_AUTH      3   /* authentication or connection failure before any work */
#define EXIT_INTERNAL  4   /* a bug: a role returned, an invariant broke */
#define EXIT_INTERRUPT 130 /* SIGINT or SIGTERM */

#endif
