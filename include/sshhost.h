/*
 * SSH host keys: the key a server shows is checked against the user's
 * ~/.ssh/known_hosts (hashed entries too).  An unknown host is an error
 * that says what to do, never a prompt; with --ssh-accept-new it is
 * recorded instead.  A key that differs from the recorded one is always
 * refused.
 */
#ifndef GLM_SSHHOST_H
#define GLM_SSHHOST_H

#include <git2.h>
#include <libssh2.h>
#include <stddef.h>

/*
 * 0 when the key of host (as libgit2 passes it; the port comes from url)
 * is known, or was unknown and accept_new recorded it; GLM_EUNSAFE with a
 * message otherwise.
 */
int sshhost_check(const char *url, const char *host, const git_cert_hostkey *cert, int accept_new);
/* The same for the host key of a libssh2 session after its handshake (lfs_sshauth.h). */
int sshhost_check_session(LIBSSH2_SESSION *session, const char *host, int port, int accept_new);
/* The same against the known_hosts file at path (for tests). */
int sshhost_check_file(const char *path, const char *host, int port, const unsigned char *key,
		       size_t keylen, int raw_type, int accept_new);

#endif
