/*
 * libgit2's remote callbacks for every fetch and clone of a sync worker:
 * the token only through the credentials callback (never in a URL or the
 * config), TLS and SSH host checks, and the byte counters of the progress.
 */
#include <git2.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "gitver.h"
#include "log.h"
#include "signals.h"
#include "sshhost.h"
#include "sync_follow.h"
#include "sync_job.h"
#include "sync_url.h"

/* A bound on libgit2 asking again; each SSH key file is one ask, a user name another. */
#define SYNC_REMOTE_MAX_CRED_TRIES 8

/*
 * Why a callback refused, for sync_remote_git_error: libgit2 1.8 replaces a
 * refused host key's message with its own ("invalid or unknown remote ssh
 * hostkey").  One transfer at a time per sync worker process.
 */
static char sync_remote_refusal[GLM_ERROR_MAX];

static int sync_remote_refuse_as(int klass, const char *msg, int rc)
{
	snprintf(sync_remote_refusal, sizeof(sync_remote_refusal), "%s", msg);
	git_error_set_str(klass, msg);
	return rc;
}

static int sync_remote_refuse(const char *msg)
{
	return sync_remote_refuse_as(GIT_ERROR_NET, msg, GIT_EAUTH);
}

/* Without --ssh-key or an agent, the files ssh itself would try, in its order. */
static const char *const sync_remote_default_keys[] = { "id_ed25519", "id_ecdsa", "id_rsa" };
#define SYNC_REMOTE_NDEFAULT_KEYS (sizeof(sync_remote_default_keys) / sizeof(char *))

/*
 * An RSA key, known by its .pub file or its PEM header: libssh2 1.10 (Debian
 * 12) signs with RSA only as SHA-1 "ssh-rsa", which OpenSSH 8.8 and later
 * refuse, so a refusal of such a key deserves that explanation.
 */
static int sync_remote_is_rsa(const char *key)
{
	static const char *const marks[][2] = { { ".pub", "ssh-rsa " },
						{ "", "-----BEGIN RSA PRIVATE KEY-----" } };
	char path[4096], head[64];

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		size_t len = strlen(marks[i][1]);
		FILE *f;

		snprintf(path, sizeof(path), "%s%s", key, marks[i][0]);
		if ((f = fopen(path, "re")) == NULL)
			continue;
		if (fread(head, 1, len, f) == len && memcmp(head, marks[i][1], len) == 0) {
			fclose(f);
			return 1;
		}
		fclose(f);
	}
	return 0;
}

enum sync_remote_identity sync_remote_identity(const char *ssh_key, int n, char *path, size_t size)
{
	const char *sock = getenv("SSH_AUTH_SOCK"), *home = getenv("HOME");
	int seen = 0;

	if (ssh_key != NULL) {
		snprintf(path, size, "%s", ssh_key);
		return n == 0 ? SYNC_REMOTE_KEY_FILE : SYNC_REMOTE_KEY_NONE;
	}
	if (sock != NULL && *sock != '\0')
		return n == 0 ? SYNC_REMOTE_KEY_AGENT : SYNC_REMOTE_KEY_NONE;
	for (size_t i = 0; home != NULL && *home != '\0' && i < SYNC_REMOTE_NDEFAULT_KEYS; i++) {
		snprintf(path, size, "%s/.ssh/%s", home, sync_remote_default_keys[i]);
		if (access(path, R_OK) == 0 && seen++ == n)
			return SYNC_REMOTE_KEY_FILE;
	}
	return SYNC_REMOTE_KEY_NONE;
}

const char *sync_remote_no_identity(const char *ssh_key, int n)
{
	const char *sock = getenv("SSH_AUTH_SOCK");

	if (ssh_key != NULL)
		return sync_remote_is_rsa(ssh_key)
			       ? "the server did not accept the --ssh-key key, an RSA key: this "
				 "libssh2 signs with RSA only as SHA-1 ssh-rsa, which OpenSSH 8.8 "
				 "and later refuse; use an ed25519 or ECDSA key"
			       : "the server did not accept the --ssh-key key";
	if (sock != NULL && *sock != '\0')
		return "the server accepted no key of ssh-agent (SSH_AUTH_SOCK)";
	return n == 0 ? "no SSH key: no --ssh-key, no ssh-agent (SSH_AUTH_SOCK is not set) and "
			"no readable ~/.ssh/id_ed25519, id_ecdsa or id_rsa"
		      : "the server accepted none of ~/.ssh/id_ed25519, id_ecdsa and id_rsa "
			"(and no ssh-agent runs: SSH_AUTH_SOCK is not set)";
}

/*
 * The next SSH key to offer, or a refusal that says why none is left.  Each
 * key is offered once: asking again only spends the server's MaxAuthTries
 * and hides the reason (libgit2 tries every identity of the agent at once).
 */
static int sync_remote_ssh_key(git_credential **out, struct sync_job *job, const char *user)
{
	const char *key = job->plan->opts->ssh_key;
	int n = job->key_offered++;
	char path[4096];

	switch (sync_remote_identity(key, n, path, sizeof(path))) {
	case SYNC_REMOTE_KEY_FILE:
		return git_credential_ssh_key_new(out, user, NULL, path, NULL);
	case SYNC_REMOTE_KEY_AGENT:
		return git_credential_ssh_key_from_agent(out, user);
	case SYNC_REMOTE_KEY_NONE:
		break;
	}
	return sync_remote_refuse(sync_remote_no_identity(key, n));
}

static int sync_remote_credentials(git_credential **out, const char *url,
				   const char *username_from_url, unsigned int allowed,
				   void *payload)
{
	struct sync_job *job = payload;
	const struct options *opts = job->plan->opts;
	const char *user = username_from_url != NULL ? username_from_url : "git";

	if (++job->cred_tries > SYNC_REMOTE_MAX_CRED_TRIES)
		return sync_remote_refuse(opts->method == METHOD_HTTP
						  ? "the token was rejected for this repository"
						  : "no SSH key was accepted");
	if (opts->method == METHOD_HTTP && (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
		/* Asked again for each URL, so a redirect never gets the token elsewhere. */
		if (sync_url_check(url, job->plan->base_url, METHOD_HTTP) < 0)
			return sync_remote_refuse(glm_error_msg());
		if (opts->token == NULL)
			return sync_remote_refuse("the server wants a token and none was given");
		if (job->cred_tries > 1)
			return sync_remote_refuse("the token was rejected for this repository");
		return git_credential_userpass_plaintext_new(out, "oauth2", opts->token);
	}
	if (opts->method == METHOD_SSH && (allowed & GIT_CREDENTIAL_SSH_KEY))
		return sync_remote_ssh_key(out, job, user);
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user);
	return sync_remote_refuse("the server asks for credentials glmirror cannot give");
}

static int sync_remote_certificate(git_cert *cert, int valid, const char *host, void *payload)
{
	struct sync_job *job = payload;
	char msg[512];

	if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2) {
		if (sshhost_check(job->url, host, (const git_cert_hostkey *)cert,
				  job->plan->opts->ssh_accept_new) < 0)
			return sync_remote_refuse_as(GIT_ERROR_SSH, glm_error_msg(),
						     GIT_ECERTIFICATE);
		return 0;
	}
	if (valid || job->plan->opts->insecure)
		return 0;
	snprintf(msg, sizeof(msg),
		 "the TLS certificate of %s is not trusted (--cacert FILE names the CA)", host);
	return sync_remote_refuse_as(GIT_ERROR_SSL, msg, GIT_ECERTIFICATE);
}

static int sync_remote_transfer(const git_indexer_progress *stats, void *payload)
{
	struct sync_job *job = payload;

	/* A smaller count is a new transfer (a submodule after its superproject). */
	uint64_t delta = stats->received_bytes >= job->received
				 ? stats->received_bytes - job->received
				 : stats->received_bytes;

	job->received = stats->received_bytes;
	job->bytes += delta;
	sync_queue_add_bytes(&job->plan->queue, delta);
	/* The test hook dies with the transfer half done. */
	if (job->die && stats->received_objects > 0)
		raise(SIGKILL);
	if (signals_stopping()) {
		git_error_set_str(GIT_ERROR_NET, "interrupted");
		return GIT_EUSER;
	}
	return 0;
}

static int sync_remote_update_tips(const char *refname, const git_oid *a, const git_oid *b,
				   void *payload)
{
	struct sync_job *job = payload;

	job->tips++;
	sync_follow_tip(job, refname, a, b);
	log_debug("%s updated", refname);
	return 0;
}

void sync_remote_fetch_options(git_fetch_options *out, struct sync_job *job)
{
	git_fetch_options_init(out, GIT_FETCH_OPTIONS_VERSION);
	sync_remote_refusal[0] = '\0';
	out->callbacks.credentials = sync_remote_credentials;
	out->callbacks.certificate_check = sync_remote_certificate;
	out->callbacks.transfer_progress = sync_remote_transfer;
	out->callbacks.update_tips = sync_remote_update_tips;
	out->callbacks.payload = job;
	out->follow_redirects = GIT_REMOTE_REDIRECT_NONE;
	/* As git and the crawl's libcurl: http.proxy, else https_proxy/http_proxy, no_proxy. */
	out->proxy_opts.type = GIT_PROXY_AUTO;
	if (job->plan->gitopts.no_tags)
		out->download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	else if (job->plan->opts->force_tags || job->plan->opts->mirror)
		/*
		 * Every tag, forced (git fetch --tags --force).  Under the default
		 * (auto-follow) libgit2 never moves an existing tag, not even through
		 * the forced refspec of a mirror.
		 */
		out->download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
#if GITVER_HAVE_SHALLOW
	out->depth = job->plan->gitopts.depth;
#endif
}

void sync_remote_whole_history(git_fetch_options *opts)
{
#if GITVER_HAVE_SHALLOW
	opts->depth = 0;
#else
	(void)opts;
#endif
}

int sync_remote_git_error(int rc, const char *what)
{
	const git_error *e = git_error_last();
	char msg[GLM_ERROR_MAX];

	if (sync_remote_refusal[0] != '\0' && (rc == GIT_ECERTIFICATE || rc == GIT_EAUTH))
		snprintf(msg, sizeof(msg), "%s", sync_remote_refusal);
	else
		snprintf(msg, sizeof(msg), "%s",
			 e != NULL && e->message != NULL ? e->message : "failed");
	sync_remote_refusal[0] = '\0';
	log_redact(msg);
	if (rc == GIT_EUSER && signals_stopping())
		return glm_error_set(GLM_ESTOPPED, "%s: interrupted", what);
	return glm_error_set(GLM_EGIT, "%s: %s", what, msg);
}
