#include "http_cb.h"

#include "signals.h"

int http_cb_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		     curl_off_t ulnow)
{
	(void)clientp;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	/* libcurl calls this at least once a second, even while nothing arrives. */
	return signals_stopping();
}
