/*
 * The TCP connection under every git transfer over HTTP(S): replaces
 * libgit2's own socket stream (libgit2 1.5 has no timeouts and leaves
 * Nagle's algorithm on, so each POST's body waits for the ACK of its
 * headers: up to 40 ms per request on Linux, longer elsewhere).  This one
 * sets TCP_NODELAY, gives up when the server accepts nothing or sends
 * nothing for the timeout, and stops at once when the run is stopping.
 * TLS, when used, is layered over it by libgit2.
 */
#ifndef GLM_SYNC_STREAM_H
#define GLM_SYNC_STREAM_H

/*
 * Makes libgit2 use this stream for every plain socket of this process.
 * Only for HTTP: libgit2's SSH transport reads the file descriptor out of
 * its own stream type.  timeout_s: connect and inactivity limit (> 0).
 */
int sync_stream_register(int timeout_s);

/*
 * The status and Retry-After seconds (-1: none) of the last HTTP answer
 * this process read, for the retries of a failed clone or fetch; status 0
 * when none was seen since sync_stream_forget() (or under TLS, where the
 * stream carries ciphertext).
 */
void sync_stream_last_answer(int *status, double *retry_after);
void sync_stream_forget(void);

#endif
