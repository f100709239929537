/* treefile: round trip, atomic write, and every way a file can be broken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "options.h"
#include "treefile.h"
#include "tree_fixture.h"

static char dir[64];
/* Zero: -n name, -m ssh. */
static struct options wopts;
static char file[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/glm-treefile-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/tree.json", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static struct node *sample(void)
{
	struct node *root = node_new(NODE_ROOT), *g, *s, *p;

	assert_non_null(root);
	g = fx_add(root, NODE_GROUP, 1, "Gr\xc3\xbcn \"quoted\" \\", "gruen");
	s = fx_add(g, NODE_GROUP, 2, "Sub", "sub");
	p = fx_add(s, NODE_PROJECT, 9007199254740992LL, "P \xf0\x9f\x99\x82", "p");
	p->archived = 1;
	p->shared = 1;
	assert_int_equal(node_set(&p->default_branch, "main"), 0);
	assert_int_equal(node_set(&p->last_activity_at, "2026-01-02T03:04:05.000Z"), 0);
	p = fx_add(s, NODE_PROJECT, 4, "empty", "empty");
	p->empty_repo = 1;
	fx_add(root, NODE_GROUP, 5, "Lonely", "lonely");
	return root;
}

static void assert_str_eq_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_same_tree(const struct node *a, const struct node *b)
{
	size_t i;

	assert_int_equal(a->type, b->type);
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->parent_id, b->parent_id);
	assert_str_eq_null(a->name, b->name);
	assert_str_eq_null(a->path, b->path);
	assert_str_eq_null(a->full_path, b->full_path);
	assert_str_eq_null(a->web_url, b->web_url);
	assert_str_eq_null(a->http_url, b->http_url);
	assert_str_eq_null(a->ssh_url, b->ssh_url);
	assert_str_eq_null(a->default_branch, b->default_branch);
	assert_str_eq_null(a->last_activity_at, b->last_activity_at);
	assert_int_equal(a->archived, b->archived);
	assert_int_equal(a->empty_repo, b->empty_repo);
	assert_int_equal(a->shared, b->shared);
	assert_int_equal(a->nchildren, b->nchildren);
	for (i = 0; i < a->nchildren; i++) {
		assert_ptr_equal(b->children[i]->parent, b);
		assert_same_tree(a->children[i], b->children[i]);
	}
}

/* Names in dir other than tree.json: a temp file left behind would show here. */
static size_t stray_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    strcmp(e->d_name, "tree.json") != 0)
			n++;
	closedir(d);
	return n;
}

static void test_round_trip(void **state)
{
	struct node *root = sample(), *back = NULL;
	char *url = NULL;

	(void)state;
	assert_int_equal(treefile_write(file, root, "https://gitlab.example.com", &wopts), 0);
	assert_int_equal(stray_files(), 0);
	assert_int_equal(treefile_read(file, &back, &url), 0);
	assert_string_equal(url, "https://gitlab.example.com");
	assert_same_tree(root, back);
	/* The result is a tree like a crawl's: it can be finished. */
	assert_int_equal(tree_finish(back, NAMING_PATH), 0);
	assert_string_equal(back->children[0]->root_path, "/gruen");
	free(url);
	node_free(back);

	/* Overwriting an existing file is atomic too and leaves nothing behind. */
	assert_int_equal(treefile_write(file, root, "http://other", &wopts), 0);
	assert_int_equal(stray_files(), 0);
	assert_int_equal(treefile_read(file, &back, &url), 0);
	assert_string_equal(url, "http://other");
	free(url);
	node_free(back);
	node_free(root);
}

static char *slurp(size_t *out_len)
{
	FILE *f = fopen(file, "r");
	char *buf;
	long size;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	buf[size] = '\0';
	fclose(f);
	*out_len = (size_t)size;
	return buf;
}

static void assert_has(const char *text, const char *words)
{
	if (strstr(text, words) == NULL)
		fail_msg("the file lacks '%s':\n%s", words, text);
}

/* The root is gitlabber's root node, and every node carries gitlabber's four keys. */
static void test_file_is_gitlabber_superset(void **state)
{
	struct options opts = { .naming = NAMING_NAME, .method = METHOD_HTTP };
	struct node *root = sample(), *p;
	char *first, *second;
	size_t n1, n2;

	(void)state;
	p = root->children[0]->children[0]->children[0];
	assert_int_equal(node_set(&p->http_url, "https://g/gruen/sub/p.git"), 0);
	assert_int_equal(node_set(&p->ssh_url, "git@g:gruen/sub/p.git"), 0);
	assert_int_equal(node_set(&root->children[0]->web_url, "https://g/groups/gruen"), 0);
	assert_int_equal(tree_finish(root, NAMING_NAME), 0);
	assert_int_equal(treefile_write(file, root, "https://gitlab.example.com", &opts), 0);
	first = slurp(&n1);
	assert_int_equal(strncmp(first, "{\n  \"children\": [\n    {\n", 24), 0);
	assert_has(first, "\n  \"glmirror_tree\": 1,\n  \"method\": \"http\",\n  \"name\": \"\",\n"
			  "  \"naming\": \"name\",\n  \"root_path\": \"\",\n  \"type\": \"root\",\n"
			  "  \"url\": \"https://gitlab.example.com\"\n}\n");
	assert_has(first, "\"name\": \"Gr\\u00fcn \\\"quoted\\\" \\\\\",");
	assert_has(first, "\"gitlab_path\": \"gruen\",");
	assert_has(first, "\"root_path\": \"/Gr\\u00fcn \\\"quoted\\\" \\\\/Sub/P "
			  "\\ud83d\\ude42\",\n");
	assert_has(first, "\"type\": \"subgroup\",");
	assert_has(first, "\"url\": \"https://g/groups/gruen\"");
	assert_has(first, "\"url\": \"https://g/gruen/sub/p.git\"");
	assert_has(first, "\"id\": 9007199254740992,");
	assert_has(first, "\"default_branch\": null,");
	assert_null(strstr(first, "created_at"));
	assert_null(strstr(first, "folder"));

	/* Same tree, same bytes: nothing in the file depends on the time. */
	assert_int_equal(treefile_write(file, root, "https://gitlab.example.com", &opts), 0);
	second = slurp(&n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(first, second, n1);
	free(first);
	free(second);
	node_free(root);
}

static void test_write_failure_leaves_nothing(void **state)
{
	struct node *root = sample();
	char bad[160];

	(void)state;
	snprintf(bad, sizeof(bad), "%s/missing-dir/tree.json", dir);
	assert_int_equal(treefile_write(bad, root, "https://x", &wopts), GLM_EIO);
	assert_non_null(strstr(glm_error_msg(), "missing-dir/tree.json"));
	/* Renaming onto a folder fails after the temp file was written: it is removed. */
	assert_int_equal(mkdir(file, 0755), 0);
	assert_int_equal(treefile_write(file, root, "https://x", &wopts), GLM_EIO);
	assert_non_null(strstr(glm_error_msg(), "rename"));
	assert_int_equal(stray_files(), 0);
	assert_int_equal(rmdir(file), 0);
	node_free(root);
}

static void write_file(const char *text, size_t len)
{
	FILE *f = fopen(file, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void expect_parse_error(const char *text, const char *words)
{
	struct node *root = (struct node *)0x1;
	char *url = (char *)0x1;
	int rc;

	write_file(text, strlen(text));
	rc = treefile_read(file, &root, &url);
	if (rc != GLM_EPARSE)
		fail_msg("%s: rc %d (%s)", text, rc, glm_error_msg());
	assert_null(root);
	assert_null(url);
	if (strncmp(glm_error_msg(), "tree file '", 11) != 0 ||
	    strstr(glm_error_msg(), words) == NULL)
		fail_msg("%s: message '%s' lacks '%s'", text, glm_error_msg(), words);
}

#define HEAD "{\"glmirror_tree\": 1, \"type\": \"root\", \"url\": \"https://g\""
#define GRP(extra)                                                                                 \
	"{\"type\": \"group\", \"id\": 3, \"gitlab_name\": \"n\", \"gitlab_path\": \"p\"" extra "}"
#define ROOT(kids) HEAD ", \"children\": [" kids "]}"

static void test_corrupt_files(void **state)
{
	(void)state;
	expect_parse_error("", "the file is empty");
	expect_parse_error("  \n", "the file is empty");
	expect_parse_error("[1, 2]", "not a JSON object");
	expect_parse_error("{\"glmirror_tree\": 2, \"type\": \"root\", \"url\": \"https://g\"}",
			   "format version 2 is not supported");
	expect_parse_error("{\"glmirror_tree\": \"1\"}", "not a version number");
	expect_parse_error("{\"glmirror_tree\": 1, \"type\": \"root\"}", "the root's \"url\"");
	expect_parse_error("{\"glmirror_tree\": 1, \"type\": \"root\", \"url\": \"file:///etc\"}",
			   "not an http(s) URL");
	expect_parse_error("{\"glmirror_tree\": 1, \"type\": \"root\", \"url\": "
			   "\"https://me:pw@g\"}",
			   "root: 'url' holds a user name or password");
	expect_parse_error(ROOT(GRP(", \"url\": 5")), "'url' is not a string");
	expect_parse_error("{\"glmirror_tree\": 1, \"type\": \"group\", \"url\": \"https://g\"}",
			   "the top node is not of type 'root'");
	expect_parse_error("{\"glmirror_tree\": 1, \"url\": \"https://g\"}", "'type' is missing");
	expect_parse_error(HEAD ", \"children\": {}}", "'children' is not an array");
	expect_parse_error(ROOT("{\"type\": \"root\"}"),
			   "root.children[0]: a node below the top is of type 'root'");
	expect_parse_error(ROOT("{\"type\": \"repo\"}"), "unknown type 'repo'");
	expect_parse_error(ROOT("{\"type\": \"\\u001b[2J\"}"), "unknown type '\\x1b[2J'");
	expect_parse_error(ROOT("{\"type\": \"group\", \"gitlab_name\": \"n\", \"gitlab_path\": "
				"\"p\"}"),
			   "root.children[0]: 'id' is missing");
	expect_parse_error(ROOT("{\"type\": \"group\", \"id\": \"3\", \"gitlab_name\": \"n\"}"),
			   "'id' is not a whole number");
	expect_parse_error(ROOT(GRP(", \"id\": 4")), "(id 3): 'id' is given twice");
	expect_parse_error(ROOT(GRP(", \"name\": \"a\", \"name\": \"b\"")),
			   "'name' is given twice");
	expect_parse_error(ROOT("{\"type\": \"group\", \"id\": -1}"), "'id' is not a whole number");
	expect_parse_error(ROOT("{\"type\": \"group\", \"id\": 1.5}"),
			   "'id' is not a whole number");
	expect_parse_error(ROOT("{\"type\": \"group\", \"id\": 1e300}"),
			   "'id' is not a whole number");
	expect_parse_error(ROOT(GRP(", \"parent_id\": null")), "'parent_id' is not a whole number");
	expect_parse_error(ROOT("{\"type\": \"group\", \"id\": 3, \"gitlab_path\": \"p\"}"),
			   "(id 3): 'gitlab_name' is missing");
	expect_parse_error(ROOT("{\"type\": \"group\", \"id\": 3, \"gitlab_name\": 7}"),
			   "'gitlab_name' is not a string");
	expect_parse_error(ROOT(GRP(", \"full_path\": \"a/b\", \"web_url\": 1")),
			   "root.children[0] (full_path 'a/b'): 'web_url' is not a string");
	expect_parse_error(ROOT(GRP(", \"root_path\": [], \"full_path\": \"a\"")),
			   "'root_path' is not a string");
	expect_parse_error(ROOT(GRP(", \"http_url\": \"https://oauth2:tok@g/p.git\"")),
			   "'http_url' holds a user name or password");
	expect_parse_error(ROOT(GRP(", \"archived\": 1")), "'archived' is not true or false");
	expect_parse_error(ROOT(GRP(", \"shared\": \"yes\"")), "'shared' is not true or false");
	expect_parse_error(ROOT(GRP(", \"children\": [" GRP(", \"children\": [7]") "]")),
			   "root.children[0].children[0].children[0]: a node is not an object");
	expect_parse_error(ROOT("{\"type\": \"project\", \"id\": 3, \"gitlab_name\": \"n\", "
				"\"gitlab_path\": \"p\", \"children\": [" GRP("") "]}"),
			   "a project has children");
	expect_parse_error(ROOT(GRP(", \"gitlab_name\": \"a\\u0000b\"")),
			   "\\u0000 at line 1 column");
	expect_parse_error(ROOT(GRP("")) " x", "unexpected text after the JSON at line 1");
	expect_parse_error(ROOT(GRP("")) "}", "unexpected text");
	expect_parse_error("{\"glmirror_tree\": 1,\n \"url\": nope}",
			   "not valid JSON at line 2 column");
	/* gitlabber's own output: no "glmirror_tree". */
	expect_parse_error("{\"type\": \"root\", \"url\": \"https://g\", \"children\": "
			   "[{\"type\": \"group\", \"root_path\": \"/x\"}]}",
			   "root.children[0] (root_path '/x'): 'name' is missing or empty");
	expect_parse_error("{\"name\": \"\", \"type\": \"root\"}", "the root's \"url\"");
}

static void test_nul_byte_and_missing_file(void **state)
{
	static const char text[] = ROOT(GRP(""));
	struct node *root;
	char *url, buf[sizeof(text)];

	(void)state;
	memcpy(buf, text, sizeof(text));
	buf[40] = '\0';
	write_file(buf, sizeof(buf) - 1);
	assert_int_equal(treefile_read(file, &root, &url), GLM_EPARSE);
	assert_non_null(strstr(glm_error_msg(), "a NUL byte at line 1 column 41"));

	assert_int_equal(unlink(file), 0);
	assert_int_equal(treefile_read(file, &root, &url), GLM_EIO);
	assert_non_null(strstr(glm_error_msg(), "tree.json': No such file"));
	assert_int_equal(treefile_read(dir, &root, &url), GLM_EIO);
	assert_non_null(strstr(glm_error_msg(), "not a regular file"));
}

/* Every prefix of a valid file is refused cleanly (no crash, no partial tree). */
static void test_every_truncation(void **state)
{
	struct node *root = sample(), *back;
	char *full, *url;
	size_t len, cut;
	FILE *f;
	long size;

	(void)state;
	assert_int_equal(treefile_write(file, root, "https://gitlab.example.com", &wopts), 0);
	f = fopen(file, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	full = malloc((size_t)size);
	assert_int_equal(fread(full, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	len = (size_t)size;
	/* The last bytes are the closing brace and newline; any cut before them fails. */
	for (cut = 0; cut + 2 < len; cut++) {
		int rc;

		write_file(full, cut);
		rc = treefile_read(file, &back, &url);
		if (rc != GLM_EPARSE)
			fail_msg("cut at %zu of %zu: rc %d", cut, len, rc);
	}
	free(full);
	node_free(root);
}

static void test_depth_limit(void **state)
{
	/* 70 nested groups: over the limit of 64. */
	size_t cap = 70 * 128 + 5000, i;
	char *text = malloc(cap), *p = text;
	struct node *root;
	char *url;

	(void)state;
	p += sprintf(p, HEAD ", \"children\": [");
	for (i = 0; i < 70; i++)
		p += sprintf(p,
			     "{\"type\": \"group\", \"id\": %zu, \"gitlab_name\": \"n\", "
			     "\"gitlab_path\": \"p\", \"children\": [",
			     i + 1);
	for (i = 0; i < 70; i++)
		p += sprintf(p, "]}");
	p += sprintf(p, "]}");
	write_file(text, (size_t)(p - text));
	assert_int_equal(treefile_read(file, &root, &url), GLM_EPARSE);
	assert_non_null(strstr(glm_error_msg(), "nested deeper than 64 levels"));

	/* Deeper JSON is refused before cJSON recurses into it. */
	memset(text, '[', 5000);
	write_file(text, 5000);
	assert_int_equal(treefile_read(file, &root, &url), GLM_EPARSE);
	assert_non_null(strstr(glm_error_msg(), "JSON nested deeper than 144 levels"));
	free(text);
}

static void test_unknown_keys_ignored_and_nulls_allowed(void **state)
{
	static const char text[] =
		"{\"glmirror_tree\": 1, \"type\": \"root\", \"url\": \"https://g\", \"future\": "
		"[1], "
		"\"naming\": null, \"children\": [{\"type\": \"project\", \"id\": 7, "
		"\"gitlab_name\": \"n\", \"gitlab_path\": \"p\", \"default_branch\": null, "
		"\"name\": \"stale\", \"x\": {}, \"children\": []}]}";
	struct node *root;
	char *url;

	(void)state;
	write_file(text, strlen(text));
	assert_int_equal(treefile_read(file, &root, &url), 0);
	assert_string_equal(url, "https://g");
	assert_int_equal(root->nchildren, 1);
	assert_int_equal(root->children[0]->type, NODE_PROJECT);
	assert_string_equal(root->children[0]->name, "n");
	assert_null(root->children[0]->default_branch);
	assert_int_equal(root->children[0]->archived, 0);
	node_free(root);
	free(url);
}

/* gitlabber -p --print-format json output, as gitlabber writes it. */
static void test_gitlabber_json(void **state)
{
	static const char text[] =
		"{\n  \"children\": [\n    {\n      \"children\": [\n        {\n"
		"          \"children\": [\n            {\n"
		"              \"name\": \"p1\",\n              \"root_path\": \"/Grp/Sub/p1\",\n"
		"              \"type\": \"project\",\n"
		"              \"url\": \"git@g:grp/sub/p1.git\"\n            }\n          ],\n"
		"          \"name\": \"Sub\",\n          \"root_path\": \"/Grp/Sub\",\n"
		"          \"type\": \"subgroup\",\n"
		"          \"url\": \"https://g/groups/grp/sub\"\n        },\n        {\n"
		"          \"name\": \"p2\",\n          \"root_path\": \"/Grp/p2\",\n"
		"          \"type\": \"project\",\n          \"url\": \"https://g/grp/p2.git\"\n"
		"        }\n      ],\n      \"name\": \"Grp\",\n      \"root_path\": \"/Grp\",\n"
		"      \"type\": \"group\",\n      \"url\": \"https://g/groups/grp\"\n    }\n  ],\n"
		"  \"name\": \"\",\n  \"root_path\": \"\",\n  \"type\": \"root\",\n"
		"  \"url\": \"https://g\"\n}\n";
	struct node *root, *grp, *sub, *p1, *p2;
	char *url;

	(void)state;
	write_file(text, strlen(text));
	assert_int_equal(treefile_read(file, &root, &url), 0);
	assert_string_equal(url, "https://g");
	assert_int_equal(tree_finish(root, NAMING_PATH), 0);
	grp = root->children[0];
	sub = grp->children[0];
	p1 = sub->children[0];
	p2 = grp->children[1];
	assert_int_equal(grp->type, NODE_GROUP);
	assert_int_equal(grp->id, 0);
	assert_string_equal(grp->name, "Grp");
	assert_string_equal(grp->path, "Grp");
	assert_string_equal(grp->web_url, "https://g/groups/grp");
	assert_int_equal(sub->type, NODE_SUBGROUP);
	assert_string_equal(sub->full_path, "Grp/Sub");
	assert_string_equal(p1->full_path, "Grp/Sub/p1");
	assert_string_equal(p1->root_path, "/Grp/Sub/p1");
	assert_string_equal(p1->ssh_url, "git@g:grp/sub/p1.git");
	assert_null(p1->http_url);
	assert_string_equal(p2->http_url, "https://g/grp/p2.git");
	assert_null(p2->ssh_url);
	node_free(root);
	free(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_is_gitlabber_superset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nul_byte_and_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_keys_ignored_and_nulls_allowed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_gitlabber_json, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
