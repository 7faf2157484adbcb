/* unchanged_work.c: code written for no runtime at all (compiled with the
 * plain compiler, without gort.h): sleeps, then reads until EOF. */
#include <unistd.h>

long work_sleep_then_read(int fd, unsigned sleep_us)
{
	char buf[64];
	long total = 0;
	ssize_t n;
	if (usleep(sleep_us) != 0) return -1;
	while ((n = read(fd, buf, sizeof buf)) > 0) total += n;
	return n < 0 ? -1 : total;
}
