/*
 * Files a reader must never see half written (the tree file, the metrics
 * file): written to a temporary sibling, fsynced, renamed over the target,
 * then the folder is fsynced so the rename itself survives a crash.
 */
#ifndef GLM_ATOMICFILE_H
#define GLM_ATOMICFILE_H

#include <stdio.h>

/* Writes the content to f; returns 0 or an error already set (error.h). */
typedef int (*atomicfile_fill_fn)(FILE *f, void *ctx);

/*
 * Replaces path with what fill writes.  what names the file in errors
 * ("tree file").  On error path is untouched and the temporary is removed.
 */
int atomicfile_write(const char *path, const char *what, atomicfile_fill_fn fill, void *ctx);

#endif
