/*
 * Tokens in the desktop keyring: the Secret Service API that GNOME Keyring,
 * KeePassXC and KWallet provide on the session D-Bus, through libsecret.
 * Entries are keyed by the GitLab URL.  glmirror stores its own entries
 * (service "glmirror") and also reads gitlabber's (service "gitlabber"), so
 * a token stored by `gitlabber --store-token` keeps working.
 */
#ifndef GLM_KEYRING_H
#define GLM_KEYRING_H

/*
 * Looks up the token stored for url (normalized), then gitlabber's entry for
 * url_as_typed (gitlabber keys by the URL exactly as given) and for url.
 * *out (owned by the caller) is NULL when nothing is stored or no Secret
 * Service is reachable; the return value is 0 then too, with the reason in
 * the error message for --verbose.  Negative only on a local failure (fork,
 * pipe, memory).
 */
int keyring_lookup(char **out, const char *url, const char *url_as_typed);

/* Stores token for url under glmirror's service.  Fails when no Secret Service answers. */
int keyring_store(const char *url, const char *token);

#endif
