/*
 * libFuzzer target: the tree-file reader, and everything that then runs on
 * a tree it accepts (tree_finish, the safe-path checks, the three print
 * formats and writing it back), as `glmirror -f FILE -p` does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "options.h"
#include "print.h"
#include "safepath.h"
#include "tree.h"
#include "treefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_treefile_print(const struct node *root, const char *base_url,
				enum print_format format)
{
	struct options o;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return;
	memset(&o, 0, sizeof(o));
	o.print_format = format;
	print_tree(f, root, base_url, &o);
	fclose(f);
	free(buf);
}

/* What the reader accepted, written as a tree file, is read back. */
static void fuzz_treefile_write_back(const struct node *root, const char *base_url, int http)
{
	struct options o;
	struct node *back = NULL;
	char *buf = NULL, *back_url = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return;
	memset(&o, 0, sizeof(o));
	o.method = http ? METHOD_HTTP : METHOD_SSH;
	if (print_json_tree(f, root, base_url, &o, 1) < 0) {
		fclose(f);
		free(buf);
		return;
	}
	fclose(f);
	if (treefile_parse("fuzz write-back", buf, len, &back, &back_url) < 0 &&
	    glm_error_code() != GLM_ENOMEM)
		abort();
	node_free(back);
	free(back_url);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct node *root = NULL;
	char *base_url = NULL;
	int rc = treefile_parse("fuzz", (const char *)data, size, &root, &base_url);

	if (rc < 0) {
		if (root != NULL || base_url != NULL ||
		    strncmp(glm_error_msg(), "tree file", 9) != 0)
			abort();
		goto out;
	}
	if (root == NULL || base_url == NULL || root->type != NODE_ROOT)
		abort();
	if (tree_finish(root, size % 2 ? NAMING_PATH : NAMING_NAME) < 0)
		goto out;
	safepath_check_tree(root, NULL, NULL);
	fuzz_treefile_print(root, base_url, PRINT_TREE);
	fuzz_treefile_print(root, base_url, PRINT_JSON);
	fuzz_treefile_print(root, base_url, PRINT_YAML);
	fuzz_treefile_write_back(root, base_url, size % 3 == 0);
out:
	node_free(root);
	free(base_url);
	glm_error_clear();
	return 0;
}
