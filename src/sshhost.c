/* SSH host key checks against known_hosts (sshhost.h), with libssh2's parser. */
#include "sshhost.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "sync_url.h"

static int sshhost_key_type(int raw_type)
{
	switch (raw_type) {
	case GIT_CERT_SSH_RAW_TYPE_RSA:
		return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
	case GIT_CERT_SSH_RAW_TYPE_DSS:
		return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
	case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_256:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
	case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_384:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
	case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_521:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
	case GIT_CERT_SSH_RAW_TYPE_KEY_ED25519:
		return LIBSSH2_KNOWNHOST_KEY_ED25519;
	default:
		return 0;
	}
}

/* Appends the new entry as one line, leaving the rest of the file as it is. */
static int sshhost_record(LIBSSH2_KNOWNHOSTS *hosts, struct libssh2_knownhost *entry,
			  const char *path)
{
	char line[8192];
	size_t len = 0;
	int fd, err = -1;

	if (libssh2_knownhost_writeline(hosts, entry, line, sizeof(line), &len,
					LIBSSH2_KNOWNHOST_FILE_OPENSSH) != 0)
		return glm_error_set(GLM_ERR, "cannot format a known_hosts line");
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return glm_error_errno(GLM_EIO, errno, "cannot record the host key in %s", path);
	if (write(fd, line, len) == (ssize_t)len && fsync(fd) == 0)
		err = 0;
	else
		err = glm_error_errno(GLM_EIO, errno, "cannot record the host key in %s", path);
	close(fd);
	return err;
}

int sshhost_check_file(const char *path, const char *host, int port, const unsigned char *key,
		       size_t keylen, int raw_type, int accept_new)
{
	LIBSSH2_SESSION *session = NULL;
	LIBSSH2_KNOWNHOSTS *hosts = NULL;
	struct libssh2_knownhost *entry = NULL;
	char name[SYNC_URL_HOST_MAX + 16];
	int type = sshhost_key_type(raw_type), mask, rc, err = GLM_EUNSAFE;

	/* known_hosts' own spelling of the host, also the one users look for in messages */
	if (port == 22)
		snprintf(name, sizeof(name), "%s", host);
	else
		snprintf(name, sizeof(name), "[%s]:%d", host, port);
	if (type == 0)
		return glm_error_set(GLM_EUNSAFE, "SSH host key of %s has an unknown type", name);
	mask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | type;
	if ((session = libssh2_session_init()) == NULL ||
	    (hosts = libssh2_knownhost_init(session)) == NULL) {
		err = glm_error_set(GLM_ENOMEM, "out of memory");
		goto out;
	}
	/* A missing file is an empty list. */
	if (access(path, F_OK) == 0 &&
	    libssh2_knownhost_readfile(hosts, path, LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0) {
		err = glm_error_set(GLM_EUNSAFE, "cannot read %s", path);
		goto out;
	}
	rc = libssh2_knownhost_checkp(hosts, host, port, (const char *)key, keylen, mask, NULL);
	if (rc == LIBSSH2_KNOWNHOST_CHECK_MATCH) {
		err = 0;
	} else if (rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
		err = glm_error_set(
			GLM_EUNSAFE,
			"the SSH host key of %s differs from the one in %s: someone may "
			"be intercepting the connection, or the host key changed",
			name, path);
	} else if (!accept_new) {
		err = glm_error_set(GLM_EUNSAFE,
				    "unknown SSH host %s: add its key to %s (ssh-keyscan) or pass "
				    "--ssh-accept-new",
				    name, path);
	} else {
		if (libssh2_knownhost_addc(hosts, name, NULL, (const char *)key, keylen, NULL, 0,
					   mask, &entry) != 0) {
			err = glm_error_set(GLM_ERR, "cannot add the host key of %s", name);
			goto out;
		}
		if ((err = sshhost_record(hosts, entry, path)) == 0)
			log_warn("recorded the new SSH host key of %s in %s", name, path);
	}
out:
	if (hosts != NULL)
		libssh2_knownhost_free(hosts);
	if (session != NULL)
		libssh2_session_free(session);
	return err;
}

/* ~/.ssh/known_hosts into path; with accept_new ~/.ssh is made when missing. */
static int sshhost_known_hosts(const char *host, int accept_new, char *path, size_t size)
{
	const char *home = getenv("HOME");

	if (home == NULL || *home == '\0')
		return glm_error_set(GLM_EUNSAFE, "HOME is not set: no known_hosts to check %s",
				     host);
	snprintf(path, size, "%s/.ssh", home);
	if (accept_new && mkdir(path, 0700) < 0 && errno != EEXIST)
		return glm_error_errno(GLM_EIO, errno, "cannot create %s", path);
	snprintf(path, size, "%s/.ssh/known_hosts", home);
	return 0;
}

int sshhost_check(const char *url, const char *host, const git_cert_hostkey *cert, int accept_new)
{
	char path[4096];
	struct sync_url u;
	int port = 22, rc;

	if (!(cert->type & GIT_CERT_SSH_RAW))
		return glm_error_set(GLM_EUNSAFE, "libgit2 did not pass the SSH host key of %s",
				     host);
	if (url != NULL && sync_url_parse(url, &u) == 0)
		port = u.port;
	if ((rc = sshhost_known_hosts(host, accept_new, path, sizeof(path))) < 0)
		return rc;
	return sshhost_check_file(path, host, port, (const unsigned char *)cert->hostkey,
				  cert->hostkey_len, (int)cert->raw_type, accept_new);
}

/* libgit2 passes libssh2's host key type as its raw type, value for value. */
_Static_assert(GIT_CERT_SSH_RAW_TYPE_RSA == LIBSSH2_HOSTKEY_TYPE_RSA &&
		       GIT_CERT_SSH_RAW_TYPE_DSS == LIBSSH2_HOSTKEY_TYPE_DSS &&
		       GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_256 == LIBSSH2_HOSTKEY_TYPE_ECDSA_256 &&
		       GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_384 == LIBSSH2_HOSTKEY_TYPE_ECDSA_384 &&
		       GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_521 == LIBSSH2_HOSTKEY_TYPE_ECDSA_521 &&
		       GIT_CERT_SSH_RAW_TYPE_KEY_ED25519 == LIBSSH2_HOSTKEY_TYPE_ED25519,
	       "host key types");

int sshhost_check_session(LIBSSH2_SESSION *session, const char *host, int port, int accept_new)
{
	char path[4096];
	size_t len = 0;
	int type = 0, rc;
	const char *key = libssh2_session_hostkey(session, &len, &type);

	if (key == NULL)
		return glm_error_set(GLM_EUNSAFE, "the SSH server %s showed no host key", host);
	if ((rc = sshhost_known_hosts(host, accept_new, path, sizeof(path))) < 0)
		return rc;
	return sshhost_check_file(path, host, port, (const unsigned char *)key, len, type,
				  accept_new);
}
