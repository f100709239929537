/*
 * Runs a fuzz target's LLVMFuzzerTestOneInput over files without libFuzzer,
 * so the corpora replay as ordinary tests under `make check` and `make asan`.
 * Arguments are files or directories (their regular files, in any order).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input goes in a buffer of its exact size, so a read past it is caught by ASan. */
static int replay_file(const char *path, size_t size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(size ? size : 1);
	int rc = -1;

	if (f == NULL || buf == NULL) {
		perror(path);
		goto out;
	}
	if (fread(buf, 1, size, f) != size) {
		fprintf(stderr, "%s: short read\n", path);
		goto out;
	}
	LLVMFuzzerTestOneInput(buf, size);
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	int i, count = 0, fail = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			fail |= replay_file(argv[i], (size_t)st.st_size) < 0;
			count++;
			continue;
		}
		if ((d = opendir(argv[i])) == NULL) {
			perror(argv[i]);
			return 1;
		}
		while ((e = readdir(d)) != NULL) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
				continue;
			fail |= replay_file(path, (size_t)st.st_size) < 0;
			count++;
		}
		closedir(d);
	}
	printf("replayed %d inputs\n", count);
	return fail || count == 0;
}
