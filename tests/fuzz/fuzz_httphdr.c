/* libFuzzer target: response header lines through libcurl's header callback. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_cb.h"
#include "linkhdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_hdrs h;
	size_t start = 0, i;

	memset(&h, 0, sizeof(h));
	h.max_body = 1 << 20;
	http_cb_header_reset(&h);
	/* Each line goes in as libcurl hands it over: one call per line, CRLF included. */
	for (i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		if (i > start) {
			size_t n = i - start + (i < size);
			char *line = malloc(n);

			if (line == NULL)
				break;
			memcpy(line, data + start, n);
			if (http_cb_header(line, 1, n, &h) != n && !h.too_big)
				abort();
			free(line);
		}
		start = i + 1;
	}
	if (h.link.data != NULL &&
	    (strlen(h.link.data) != h.link.len || h.link.len > LINKHDR_MAX_LEN + 1))
		abort();
	if (h.content_type[HTTP_CB_TYPE_MAX - 1] != '\0' ||
	    h.location[HTTP_CB_LOCATION_MAX - 1] != '\0')
		abort();
	http_cb_header_release(&h);
	return 0;
}
