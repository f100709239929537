/* print: -p output byte for byte as gitlabber's (goldens checked against PyYAML and json). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "print.h"
#include "tree_fixture.h"

/*
 * The goldens are glmirror's output for sample(), which matched
 * json.dumps(d, indent=2, sort_keys=True) and yaml.dump(d,
 * default_flow_style=False) of the same dict when they were made.
 */
static const char golden_tree[] =
	"root [https://gitlab.example.com]\n"
	"├── Data Science [/Data Science]\n"
	"│   ├── A rather long project name that goes on and on past eighty columns of text [/Data "
	"Science/A rather long project name that goes on and on past eighty columns of text]\n"
	"│   ├── Grün 日本 [/Data Science/Grün 日本]\n"
	"│   │   ├── emoji 🙂 [/Data Science/Grün 日本/emoji 🙂]\n"
	"│   │   └── yes [/Data Science/Grün 日本/yes]\n"
	"│   └── it's: here [/Data Science/it's: here]\n"
	"└── empty [/empty]\n";

static const char golden_json[] =
	"{\n"
	"  \"children\": [\n"
	"    {\n"
	"      \"children\": [\n"
	"        {\n"
	"          \"name\": \"A rather long project name that goes on and on past eighty columns "
	"of text\",\n"
	"          \"root_path\": \"/Data Science/A rather long project name that goes on and on "
	"past eighty columns of text\",\n"
	"          \"type\": \"project\",\n"
	"          \"url\": \"git@gitlab.example.com:data-science/long.git\"\n"
	"        },\n"
	"        {\n"
	"          \"children\": [\n"
	"            {\n"
	"              \"name\": \"emoji \\ud83d\\ude42\",\n"
	"              \"root_path\": \"/Data Science/Gr\\u00fcn \\u65e5\\u672c/emoji "
	"\\ud83d\\ude42\",\n"
	"              \"type\": \"project\",\n"
	"              \"url\": \"git@gitlab.example.com:data-science/gruen/emoji.git\"\n"
	"            },\n"
	"            {\n"
	"              \"name\": \"yes\",\n"
	"              \"root_path\": \"/Data Science/Gr\\u00fcn \\u65e5\\u672c/yes\",\n"
	"              \"type\": \"project\",\n"
	"              \"url\": \"git@gitlab.example.com:data-science/gruen/yes.git\"\n"
	"            }\n"
	"          ],\n"
	"          \"name\": \"Gr\\u00fcn \\u65e5\\u672c\",\n"
	"          \"root_path\": \"/Data Science/Gr\\u00fcn \\u65e5\\u672c\",\n"
	"          \"type\": \"subgroup\",\n"
	"          \"url\": \"https://gitlab.example.com/data-science/gruen\"\n"
	"        },\n"
	"        {\n"
	"          \"name\": \"it's: here\",\n"
	"          \"root_path\": \"/Data Science/it's: here\",\n"
	"          \"type\": \"project\",\n"
	"          \"url\": \"git@gitlab.example.com:data-science/quote.git\"\n"
	"        }\n"
	"      ],\n"
	"      \"name\": \"Data Science\",\n"
	"      \"root_path\": \"/Data Science\",\n"
	"      \"type\": \"group\",\n"
	"      \"url\": \"https://gitlab.example.com/data-science\"\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"empty\",\n"
	"      \"root_path\": \"/empty\",\n"
	"      \"type\": \"group\",\n"
	"      \"url\": \"https://gitlab.example.com/empty\"\n"
	"    }\n"
	"  ],\n"
	"  \"name\": \"\",\n"
	"  \"root_path\": \"\",\n"
	"  \"type\": \"root\",\n"
	"  \"url\": \"https://gitlab.example.com\"\n"
	"}\n";

static const char golden_yaml[] =
	"children:\n"
	"- children:\n"
	"  - name: A rather long project name that goes on and on past eighty columns of text\n"
	"    root_path: /Data Science/A rather long project name that goes on and on past eighty\n"
	"      columns of text\n"
	"    type: project\n"
	"    url: git@gitlab.example.com:data-science/long.git\n"
	"  - children:\n"
	"    - name: \"emoji \\U0001F642\"\n"
	"      root_path: \"/Data Science/Gr\\xFCn \\u65E5\\u672C/emoji \\U0001F642\"\n"
	"      type: project\n"
	"      url: git@gitlab.example.com:data-science/gruen/emoji.git\n"
	"    - name: 'yes'\n"
	"      root_path: \"/Data Science/Gr\\xFCn \\u65E5\\u672C/yes\"\n"
	"      type: project\n"
	"      url: git@gitlab.example.com:data-science/gruen/yes.git\n"
	"    name: \"Gr\\xFCn \\u65E5\\u672C\"\n"
	"    root_path: \"/Data Science/Gr\\xFCn \\u65E5\\u672C\"\n"
	"    type: subgroup\n"
	"    url: https://gitlab.example.com/data-science/gruen\n"
	"  - name: 'it''s: here'\n"
	"    root_path: '/Data Science/it''s: here'\n"
	"    type: project\n"
	"    url: git@gitlab.example.com:data-science/quote.git\n"
	"  name: Data Science\n"
	"  root_path: /Data Science\n"
	"  type: group\n"
	"  url: https://gitlab.example.com/data-science\n"
	"- name: empty\n"
	"  root_path: /empty\n"
	"  type: group\n"
	"  url: https://gitlab.example.com/empty\n"
	"name: ''\n"
	"root_path: ''\n"
	"type: root\n"
	"url: https://gitlab.example.com\n"
	"\n";

static struct node *sample(void)
{
	struct node *root = node_new(NODE_ROOT), *ds, *g;

	assert_non_null(root);
	ds = fx_add(root, NODE_GROUP, 1, "Data Science", "data-science");
	g = fx_add(ds, NODE_GROUP, 2, "Gr\xc3\xbcn \xe6\x97\xa5\xe6\x9c\xac", "gruen");
	fx_add(g, NODE_PROJECT, 10, "yes", "yes");
	fx_add(g, NODE_PROJECT, 11, "emoji \xf0\x9f\x99\x82", "emoji");
	fx_add(ds, NODE_PROJECT, 12,
	       "A rather long project name that goes on and on past eighty columns of text",
	       "long");
	fx_add(ds, NODE_PROJECT, 13, "it's: here", "quote");
	fx_add(root, NODE_GROUP, 3, "empty", "empty");
	assert_int_equal(tree_finish(root, NAMING_NAME), 0);
	return root;
}

/* Prints root in format; the caller frees the result. */
static char *render(const struct node *root, enum print_format format, enum clone_method method)
{
	struct options o;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	memset(&o, 0, sizeof(o));
	o.print_format = format;
	o.method = method;
	assert_int_equal(print_tree(f, root, "https://gitlab.example.com", &o), 0);
	fclose(f);
	return buf;
}

static void check_golden(enum print_format format, const char *golden)
{
	struct node *root = sample();
	char *out = render(root, format, METHOD_SSH);

	assert_string_equal(out, golden);
	free(out);
	node_free(root);
}

static void test_tree_golden(void **state)
{
	(void)state;
	check_golden(PRINT_TREE, golden_tree);
}

static void test_json_golden(void **state)
{
	(void)state;
	check_golden(PRINT_JSON, golden_json);
}

static void test_yaml_golden(void **state)
{
	(void)state;
	check_golden(PRINT_YAML, golden_yaml);
}

/*
 * Scalars that reach every choice of PyYAML's emitter: block indicators,
 * implicit types, the escapes of its own (\N \_ \L \P), a double-quoted
 * scalar folded at 80 columns, an invalid byte, a null.  The golden is what
 * PyYAML 6.0's yaml.dump(d, default_flow_style=False) printed for the same
 * dict (invalid bytes as U+FFFD), plus print()'s newline.
 */
static const char *const yaml_names[] = {
	"- dash",
	"key: value",
	"#hash",
	"a #b",
	"---x",
	"? q",
	"?q",
	"nel\xc2\x85 nbsp\xc2\xa0 ls\xe2\x80\xa8 ps\xe2\x80\xa9 bom\xef\xbb\xbf",
	"\xc3\x9cn\xc3\xaf"
	"c\xc3\xb6"
	"d\xc3\xa9 words that go on and on \xc3\xa9 past eighty "
	"columns \xc3\xa9 of text and more",
	"bad\xff",
	" lead",
	"trail ",
	"null",
	"123",
	"1.5",
	"2020-01-01",
	"~",
	"a  b",
	"tab\there",
};

static const char golden_yaml_scalars[] =
	"children:\n"
	"- name: ' lead'\n"
	"  root_path: / lead\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p10.git\n"
	"- name: '#hash'\n"
	"  root_path: /#hash\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p2.git\n"
	"- name: '- dash'\n"
	"  root_path: /- dash\n"
	"  type: project\n"
	"  url: null\n"
	"- name: '---x'\n"
	"  root_path: /---x\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p4.git\n"
	"- name: '1.5'\n"
	"  root_path: /1.5\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p14.git\n"
	"- name: '123'\n"
	"  root_path: /123\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p13.git\n"
	"- name: '2020-01-01'\n"
	"  root_path: /2020-01-01\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p15.git\n"
	"- name: '? q'\n"
	"  root_path: /? q\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p5.git\n"
	"- name: ?q\n"
	"  root_path: /?q\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p6.git\n"
	"- name: a  b\n"
	"  root_path: /a  b\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p17.git\n"
	"- name: 'a #b'\n"
	"  root_path: '/a #b'\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p3.git\n"
	"- name: \"bad\\uFFFD\"\n"
	"  root_path: \"/bad\\uFFFD\"\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p9.git\n"
	"- name: 'key: value'\n"
	"  root_path: '/key: value'\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p1.git\n"
	"- name: \"nel\\N nbsp\\_ ls\\L ps\\P bom\\uFEFF\"\n"
	"  root_path: \"/nel\\N nbsp\\_ ls\\L ps\\P bom\\uFEFF\"\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p7.git\n"
	"- name: 'null'\n"
	"  root_path: /null\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p12.git\n"
	"- name: \"tab\\there\"\n"
	"  root_path: \"/tab\\there\"\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p18.git\n"
	"- name: 'trail '\n"
	"  root_path: '/trail '\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p11.git\n"
	"- name: '~'\n"
	"  root_path: /~\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p16.git\n"
	"- name: \"\\xDCn\\xEFc\\xF6d\\xE9 words that go on and on \\xE9 past eighty columns "
	"\\xE9\\\n"
	"    \\ of text and more\"\n"
	"  root_path: \"/\\xDCn\\xEFc\\xF6d\\xE9 words that go on and on \\xE9 past eighty "
	"columns\\\n"
	"    \\ \\xE9 of text and more\"\n"
	"  type: project\n"
	"  url: git@gitlab.example.com:p8.git\n"
	"name: ''\n"
	"root_path: ''\n"
	"type: root\n"
	"url: https://gitlab.example.com\n"
	"\n";

static void test_yaml_scalars_as_pyyaml_writes_them(void **state)
{
	struct node *root = node_new(NODE_ROOT), *p;
	char path[16], *out;
	size_t i;

	(void)state;
	assert_non_null(root);
	for (i = 0; i < sizeof(yaml_names) / sizeof(yaml_names[0]); i++) {
		snprintf(path, sizeof(path), "p%zu", i);
		p = fx_add(root, NODE_PROJECT, (long long)i + 1, yaml_names[i], path);
		if (i == 0) /* a project without an SSH URL */
			assert_int_equal(node_set(&p->ssh_url, NULL), 0);
	}
	assert_int_equal(tree_finish(root, NAMING_NAME), 0);
	out = render(root, PRINT_YAML, METHOD_SSH);
	assert_string_equal(out, golden_yaml_scalars);
	free(out);
	node_free(root);
}

static void test_http_method_prints_http_urls(void **state)
{
	struct node *root = sample();
	char *out = render(root, PRINT_JSON, METHOD_HTTP);

	(void)state;
	assert_non_null(
		strstr(out, "\"url\": \"https://gitlab.example.com/data-science/long.git\""));
	assert_null(strstr(out, "git@"));
	free(out);
	node_free(root);
}

/* Names that did not pass safepath still print without raw control bytes. */
static void test_hostile_names_are_escaped(void **state)
{
	struct node *root = node_new(NODE_ROOT), *p;
	char *out;

	(void)state;
	p = fx_add(root, NODE_PROJECT, 1, "a\x1b[2Jb\xe2\x80\xae", "p");
	assert_int_equal(node_set(&p->ssh_url, "x\ny\"\\"), 0);
	assert_int_equal(tree_finish(root, NAMING_NAME), 0);

	out = render(root, PRINT_TREE, METHOD_SSH);
	assert_string_equal(out, "root [https://gitlab.example.com]\n"
				 "└── a\\x1b[2Jb\\u202e [/a\\x1b[2Jb\\u202e]\n");
	free(out);
	out = render(root, PRINT_JSON, METHOD_SSH);
	assert_non_null(strstr(out, "\"name\": \"a\\u001b[2Jb\\u202e\",\n"));
	assert_non_null(strstr(out, "\"url\": \"x\\ny\\\"\\\\\"\n"));
	free(out);
	out = render(root, PRINT_YAML, METHOD_SSH);
	assert_non_null(strstr(out, "- name: \"a\\e[2Jb\\u202E\"\n"));
	/* PyYAML single-quotes a line break, written as two. */
	assert_non_null(strstr(out, "  url: 'x\n\n    y\"\\'\n"));
	free(out);
	node_free(root);
}

static void test_empty_tree(void **state)
{
	struct node *root = node_new(NODE_ROOT);
	char *out;

	(void)state;
	assert_int_equal(tree_finish(root, NAMING_NAME), 0);
	out = render(root, PRINT_TREE, METHOD_SSH);
	assert_string_equal(out, "root [https://gitlab.example.com]\n");
	free(out);
	out = render(root, PRINT_JSON, METHOD_SSH);
	assert_string_equal(out, "{\n  \"name\": \"\",\n  \"root_path\": \"\",\n  \"type\": "
				 "\"root\",\n  \"url\": \"https://gitlab.example.com\"\n}\n");
	free(out);
	out = render(root, PRINT_YAML, METHOD_SSH);
	assert_string_equal(out, "name: ''\nroot_path: ''\ntype: root\nurl: "
				 "https://gitlab.example.com\n\n");
	free(out);
	node_free(root);
}

/* The drawing has no depth limit of its own: every level of a deep tree is printed. */
static void test_deep_tree(void **state)
{
	struct node *root = node_new(NODE_ROOT), *parent = root;
	size_t i, lines = 0;
	char *out, *p;

	(void)state;
	for (i = 0; i < 300; i++)
		parent = fx_add(parent, NODE_GROUP, (long long)i + 1, "g", "g");
	assert_int_equal(tree_finish(root, NAMING_NAME), 0);
	out = render(root, PRINT_TREE, METHOD_SSH);
	for (p = out; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	assert_int_equal(lines, 301);
	assert_non_null(strstr(
		out, "\n                \xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 g [/g/g/g/g/g]\n"));
	free(out);
	node_free(root);
}

static void test_write_error_is_reported(void **state)
{
	struct node *root = sample();
	struct options o;
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	assert_non_null(f);
	memset(&o, 0, sizeof(o));
	o.print_format = PRINT_JSON;
	assert_int_equal(print_tree(f, root, "https://x", &o), GLM_EIO);
	assert_non_null(strstr(glm_error_msg(), "cannot write the tree"));
	fclose(f);
	node_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_golden),
		cmocka_unit_test(test_json_golden),
		cmocka_unit_test(test_yaml_golden),
		cmocka_unit_test(test_yaml_scalars_as_pyyaml_writes_them),
		cmocka_unit_test(test_http_method_prints_http_urls),
		cmocka_unit_test(test_hostile_names_are_escaped),
		cmocka_unit_test(test_empty_tree),
		cmocka_unit_test(test_deep_tree),
		cmocka_unit_test(test_write_error_is_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
