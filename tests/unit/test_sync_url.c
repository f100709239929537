/* sync_url: clone URLs are used only on base_url's host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "sync_url.h"
#include "tree.h"

#define BASE "https://gitlab.example.com"

static void refused(const char *url, const char *base, enum clone_method m)
{
	assert_int_equal(sync_url_check(url, base, m), GLM_EUNSAFE);
}

static void test_parse(void **state)
{
	struct sync_url u;

	(void)state;
	assert_int_equal(sync_url_parse("HTTPS://Git.Example.com:8443/a/b.git", &u), 0);
	assert_string_equal(u.scheme, "https");
	assert_string_equal(u.host, "Git.Example.com");
	assert_int_equal(u.port, 8443);
	assert_int_equal(sync_url_parse("git@gitlab.example.com:a/b.git", &u), 0);
	assert_string_equal(u.scheme, "ssh");
	assert_string_equal(u.host, "gitlab.example.com");
	assert_int_equal(sync_url_parse("ssh://git@[::1]:2222/a.git", &u), 0);
	assert_string_equal(u.host, "[::1]");
	assert_int_equal(u.port, 2222);
	assert_int_equal(sync_url_parse("http://user:pw@h/x", &u), 0);
	assert_string_equal(u.host, "h");
	assert_int_equal(u.port, 80);
	assert_int_equal(sync_url_parse("file:///etc", &u), GLM_EPARSE);
	assert_int_equal(sync_url_parse("/srv/repo.git", &u), GLM_EPARSE);
	assert_int_equal(sync_url_parse("./a:b", &u), GLM_EPARSE);
	assert_int_equal(sync_url_parse("ext::sh -c id", &u), GLM_EPARSE);
	assert_int_equal(sync_url_parse("http://h:99999/x", &u), GLM_EPARSE);
}

static void test_http(void **state)
{
	(void)state;
	assert_int_equal(sync_url_check(BASE "/a/b.git", BASE, METHOD_HTTP), 0);
	assert_int_equal(sync_url_check("https://GITLAB.example.com:443/a.git", BASE, METHOD_HTTP),
			 0);
	assert_int_equal(
		sync_url_check("http://127.0.0.1:8080/a.git", "http://127.0.0.1:8080", METHOD_HTTP),
		0);
	refused("http://gitlab.example.com/a.git", BASE, METHOD_HTTP);
	refused("https://gitlab.example.com:8443/a.git", BASE, METHOD_HTTP);
	refused("https://evil.example/a.git", BASE, METHOD_HTTP);
	refused("https://gitlab.example.com.evil.example/a.git", BASE, METHOD_HTTP);
	refused("https://evil.example/@gitlab.example.com/a.git", BASE, METHOD_HTTP);
	refused("file:///etc/passwd", BASE, METHOD_HTTP);
	refused("git@gitlab.example.com:a.git", BASE, METHOD_HTTP);
	refused(NULL, BASE, METHOD_HTTP);
	refused("", BASE, METHOD_HTTP);
	assert_non_null(strstr(glm_error_msg(), "no HTTP clone URL"));
	refused("https://evil.example/a.git", BASE, METHOD_HTTP);
	assert_string_equal(glm_error_msg(),
			    "clone URL points to another host: https://evil.example/a.git");
}

static void test_ssh(void **state)
{
	(void)state;
	assert_int_equal(sync_url_check("git@gitlab.example.com:a/b.git", BASE, METHOD_SSH), 0);
	assert_int_equal(
		sync_url_check("ssh://git@gitlab.example.com:2222/a/b.git", BASE, METHOD_SSH), 0);
	refused("git@evil.example:a/b.git", BASE, METHOD_SSH);
	refused(BASE "/a/b.git", BASE, METHOD_SSH);
	refused("file:///a/b.git", BASE, METHOD_SSH);
}

/* The URL sync_url_for() gives for a project at full_path with these URLs, or NULL. */
static const char *url_for(const char *http, const char *ssh, const char *full_path,
			   enum clone_method m, char *buf, size_t size)
{
	struct node p;

	memset(&p, 0, sizeof(p));
	p.http_url = (char *)http;
	p.ssh_url = (char *)ssh;
	p.full_path = (char *)full_path;
	return sync_url_for(&p, BASE, m, buf, size) == 0 ? buf : NULL;
}

static void test_external_url_and_ssh_host(void **state)
{
	char buf[SYNC_URL_MAX];

	(void)state;
	/* on --url's origin: as GitLab wrote it */
	assert_string_equal(url_for(BASE "/a/b.git", NULL, "a/b", METHOD_HTTP, buf, sizeof(buf)),
			    BASE "/a/b.git");
	/* GitLab's external_url: the project's path, asked of --url */
	assert_string_equal(url_for("http://gitlab.internal:8080/prefix/a/b.git", NULL, "a/b",
				    METHOD_HTTP, buf, sizeof(buf)),
			    BASE "/a/b.git");
	/* somewhere GitLab would not put it */
	assert_null(url_for("https://evil.example/a/c.git", NULL, "a/b", METHOD_HTTP, buf,
			    sizeof(buf)));
	assert_null(url_for("https://evil.example/xa/b.git", NULL, "a/b", METHOD_HTTP, buf,
			    sizeof(buf)));
	assert_null(url_for("file:///a/b.git", NULL, "a/b", METHOD_HTTP, buf, sizeof(buf)));
	assert_null(url_for("ssh://git@evil.example/a/b.git", NULL, "a/b", METHOD_HTTP, buf,
			    sizeof(buf)));
	assert_null(url_for(NULL, NULL, "a/b", METHOD_HTTP, buf, sizeof(buf)));
	/* gitlab_shell.ssh_host: used as it is */
	assert_string_equal(
		url_for(NULL, "git@ssh.example.com:a/b.git", "a/b", METHOD_SSH, buf, sizeof(buf)),
		"git@ssh.example.com:a/b.git");
	assert_string_equal(url_for(NULL, "ssh://git@ssh.example.com:2222/a/b.git", "a/b",
				    METHOD_SSH, buf, sizeof(buf)),
			    "ssh://git@ssh.example.com:2222/a/b.git");
	assert_null(url_for(NULL, "git@ssh.example.com:other/b.git", "a/b", METHOD_SSH, buf,
			    sizeof(buf)));
	assert_null(url_for(NULL, "https://ssh.example.com/a/b.git", "a/b", METHOD_SSH, buf,
			    sizeof(buf)));
	/* too long for the buffer */
	assert_null(url_for(BASE "/a/b.git", NULL, "a/b", METHOD_HTTP, buf, 8));
}

/* A submodule's LFS endpoint: always HTTP on --url's origin, ending in .git. */
static void test_http_of(void **state)
{
	char out[SYNC_URL_MAX];

	(void)state;
	assert_int_equal(sync_url_http_of("https://git.example.com/g/lib.git",
					  "https://git.example.com", METHOD_HTTP, out, sizeof(out)),
			 0);
	assert_string_equal(out, "https://git.example.com/g/lib.git");
	assert_int_equal(sync_url_http_of("https://git.example.com/g/lib/",
					  "https://git.example.com", METHOD_HTTP, out, sizeof(out)),
			 0);
	assert_string_equal(out, "https://git.example.com/g/lib.git");
	assert_int_equal(sync_url_http_of("git@git.example.com:g/lib.git",
					  "https://git.example.com/gitlab/", METHOD_SSH, out,
					  sizeof(out)),
			 0);
	assert_string_equal(out, "https://git.example.com/gitlab/g/lib.git");
	assert_int_equal(sync_url_http_of("ssh://git@git.example.com:2222/g/lib",
					  "https://git.example.com", METHOD_SSH, out, sizeof(out)),
			 0);
	assert_string_equal(out, "https://git.example.com/g/lib.git");
	assert_int_equal(sync_url_http_of("git@git.example.com:", "https://git.example.com",
					  METHOD_SSH, out, sizeof(out)),
			 GLM_EUNSAFE);
	assert_int_equal(sync_url_http_of("https://git.example.com/g/lib.git",
					  "https://git.example.com", METHOD_HTTP, out, 10),
			 GLM_EUNSAFE);
}

static void test_user_and_path(void **state)
{
	char user[16];

	(void)state;
	assert_int_equal(sync_url_user("ssh://alice@h.example:2222/g/p.git", user, sizeof(user)),
			 0);
	assert_string_equal(user, "alice");
	assert_int_equal(sync_url_user("git@h.example:g/p.git", user, sizeof(user)), 0);
	assert_string_equal(user, "git");
	assert_int_equal(sync_url_user("ssh://h.example/g/p@x.git", user, sizeof(user)), 0);
	assert_string_equal(user, "");
	assert_int_equal(sync_url_user("ssh://a-very-long-user-name@h/g", user, sizeof(user)),
			 GLM_EPARSE);
	assert_string_equal(sync_url_path("ssh://git@h.example:2222/g/p.git"), "/g/p.git");
	assert_string_equal(sync_url_path("git@h.example:g/p.git"), "g/p.git");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),	cmocka_unit_test(test_http),
		cmocka_unit_test(test_ssh),	cmocka_unit_test(test_external_url_and_ssh_host),
		cmocka_unit_test(test_http_of), cmocka_unit_test(test_user_and_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
