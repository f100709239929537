#include "shm.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

static size_t shm_round(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (size + page - 1) / page * page;
}

int shm_create(void **out, size_t size)
{
	struct shm_header *hdr;
	void *p;

	*out = NULL;
	if (size < sizeof(*hdr))
		return glm_error_set(GLM_ERR, "shared memory: region of %zu bytes is too small",
				     size);
	/* MAP_NORESERVE: queues are sized for the largest crawl but touched lazily. */
	p = mmap(NULL, shm_round(size), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return glm_error_errno(GLM_ENOMEM, errno, "shared memory: mmap of %zu bytes", size);
	hdr = p;
	hdr->magic = SHM_MAGIC;
	hdr->version = SHM_LAYOUT_VERSION;
	hdr->size = shm_round(size);
	*out = p;
	return 0;
}

void shm_destroy(void *region, size_t size)
{
	if (region != NULL)
		munmap(region, shm_round(size));
}
