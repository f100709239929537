/*
 * Names from the network become folders only through here.  A component is
 * refused when it is empty, ".", "..", ".git", contains "/", a NUL or a
 * control character, is not valid UTF-8 or is too long; folders are opened
 * below DEST with openat() and O_NOFOLLOW, so a symlink planted inside DEST
 * cannot redirect a clone elsewhere.
 */
#ifndef GLM_SAFEPATH_H
#define GLM_SAFEPATH_H

#include "tree.h"

#define SAFEPATH_MAX_COMPONENT 255  /* bytes of one folder name (NAME_MAX) */
#define SAFEPATH_MAX_PATH      4096 /* bytes of a root_path (PATH_MAX) */
/* Names glmirror keeps for itself in DEST: temporary clones, the state file, the trash. */
#define SAFEPATH_RESERVED ".glmirror-"

/* 0 when name may be one folder name; GLM_EUNSAFE with the reason otherwise. */
int safepath_check_component(const char *name);

/*
 * Marks every node whose folder (or an ancestor's) is unsafe or reserved
 * (SAFEPATH_RESERVED*), or whose
 * root_path clashes with another node's, by setting node->unsafe and calls
 * report(node, reason, ctx) once for each.  Returns the number marked.
 * Only the topmost node of an unsafe subtree is marked and reported (its
 * reason counts the projects below it); pruning it drops them all.  A clash
 * is two siblings with byte-equal folders (tree_finish() sorts them next to
 * each other): the first in sorted order keeps the folder.  Names that
 * differ only in case or Unicode normalisation are different folders, as
 * they are on the case-sensitive file systems a mirror lives on.
 */
typedef void (*safepath_report_fn)(const struct node *node, const char *reason, void *ctx);
size_t safepath_check_tree(struct node *root, safepath_report_fn report, void *ctx);
/*
 * Why node, or the marked node above it, was marked unsafe, formatted into
 * buf; NULL when neither is marked.  For the projects of an unsafe subtree
 * that was moved elsewhere (the marked node is found through ->parent).
 */
const char *safepath_reason(const struct node *node, char *buf, size_t size);

/*
 * Opens (creating when create is set, mode 0755) the folder root_path
 * ("/Group/Sub/project") below dest_fd, one component at a time, never
 * following a symlink.  *out_fd is the caller's to close.
 */
int safepath_open_dir(int dest_fd, const char *root_path, int create, int *out_fd);

#endif
