/* The sync's progress line (sync_progress.h). */
#include "sync_progress.h"

#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "monoclock.h"

void sync_progress_init(struct sync_progress_line *pl, const struct options *opts)
{
	pl->draw =
		opts->progress == PROGRESS_ALWAYS ||
		(opts->progress == PROGRESS_AUTO && isatty(STDERR_FILENO) && log_enabled(LOG_INFO));
	pl->start_ns = pl->last_plain_ns = monoclock_ns();
}

int sync_progress_interval_ms(const struct sync_progress_line *pl)
{
	return pl->draw ? 250 : 1000;
}

void sync_progress_bytes(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

static void sync_progress_eta(char *buf, size_t size, double elapsed, uint64_t done, uint64_t total)
{
	double left;

	if (done == 0 || done >= total) {
		snprintf(buf, size, "--");
		return;
	}
	left = elapsed / (double)done * (double)(total - done);
	if (left >= 3600)
		snprintf(buf, size, "%dh%02dm", (int)(left / 3600), (int)(left / 60) % 60);
	else
		snprintf(buf, size, "%dm%02ds", (int)(left / 60), (int)left % 60);
}

void sync_progress_tick(struct sync_progress_line *pl, struct sync_queue *q)
{
	struct sync_progress p;
	char line[256], bytes[32], rate[32], eta[32];
	int64_t now = monoclock_ns();
	double elapsed = (double)(now - pl->start_ns) / 1e9;

	if (!pl->draw &&
	    now - pl->last_plain_ns < (int64_t)SYNC_PROGRESS_PLAIN_S * MONOCLOCK_NS_PER_S)
		return;
	sync_queue_progress(q, &p);
	sync_progress_bytes(bytes, sizeof(bytes), p.bytes);
	sync_progress_bytes(rate, sizeof(rate),
			    elapsed > 0 ? (uint64_t)((double)p.bytes / elapsed) : 0);
	sync_progress_eta(eta, sizeof(eta), elapsed, p.done, p.total);
	snprintf(line, sizeof(line),
		 "synced %llu/%llu projects, %u cloning, %u updating, %llu failed, %s received "
		 "(%s/s), ETA %s",
		 (unsigned long long)p.done, (unsigned long long)p.total, p.cloning, p.updating,
		 (unsigned long long)p.failed, bytes, rate, eta);
	if (pl->draw) {
		log_status_line(line);
	} else {
		pl->last_plain_ns = now;
		log_info("%s", line);
	}
}

void sync_progress_end(struct sync_progress_line *pl)
{
	if (pl->draw)
		log_status_line(NULL);
}
