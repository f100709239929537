/*
 * The Git LFS endpoint of a project cloned over SSH without a token, as
 * git-lfs finds it (Git LFS spec docs/api/server-discovery.md, "SSH"): an
 * SSH session to the clone URL's host, with the host key checked in
 * known_hosts (sshhost.h) and the clone's keys (sync_remote_identity),
 * runs `git-lfs-authenticate <path> download`; GitLab Shell answers
 * {"header": {"Authorization": ...}, "href": ..., "expires_in": N} with a
 * short-lived LFS token of the key's user (gitlab-shell
 * internal/command/lfsauthenticate/lfsauthenticate.go).  The header goes
 * to the batch request only and is never logged.
 */
#ifndef GLM_LFS_SSHAUTH_H
#define GLM_LFS_SSHAUTH_H

#include <cjson/cJSON.h>
#include <stddef.h>

struct sync_job;

/*
 * For the repository at ssh_url (a clone URL sync_url_check took): the
 * LFS endpoint into href (an HTTP URL on --url's origin, no trailing
 * slash) and *header (caller owns: the answer's headers).  An error says
 * why with no secret in it.
 */
int lfs_sshauth_get(const struct sync_job *job, const char *ssh_url, char *href, size_t size,
		    cJSON **header);

/*
 * The answer's href into out, taken as a clone URL is: as it is on
 * base_url's origin, else where GitLab puts the repository's endpoint
 * (<path of ssh_url>.git/info/lfs; GitLab's external_url may differ from
 * --url) on base_url's origin; GLM_EUNSAFE for anything else.
 */
int lfs_sshauth_href(const char *base_url, const char *ssh_url, const char *href, char *out,
		     size_t size);

#endif
