/* blocking_lib.c: a separately compiled static library (libblocking.a)
 * that blocks inside: nanosleep and read, called by its own functions. */
#include <time.h>
#include <unistd.h>

int blocking_nap_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	return nanosleep(&ts, NULL);
}

long blocking_read_byte(int fd)
{
	char c;
	ssize_t n = read(fd, &c, 1);
	return n == 1 ? c : -1;
}
