/* main.c: gortdump's command line. Owns reading the file into memory and
 * the error line; the analysis itself is gortdump_analyze (analyze.c), which
 * the fuzzer calls on buffers.
 *
 *   gortdump [--json] BINARY
 *
 * Exit status: 0 report printed, 1 the file cannot be reported on (one line
 * on stderr: "gortdump: FILE: reason"), 2 usage. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gortdump.h"

static const char usage[] =
	"usage: gortdump [--json] BINARY\n"
	"Reads an x86-64 ELF program without running it and prints its entry point,\n"
	"whether it is a gort program and which libc it uses, its init tasks in the\n"
	"order the runtime runs them, and the segments and sections that matter to\n"
	"start-up. --json prints the same as one JSON object.\n";

/* A file bigger than this is not a program we can usefully report on, and
 * reading a character device (gortdump /dev/zero) must end. */
#define MAXFILE ((size_t)1 << 31)

/* slurp: the whole file in a malloc'd buffer. Reads (rather than maps) so
 * that pipes and /proc files work too. The magic is checked after the first
 * read, so that a large non-ELF file or a device is refused at once. */
static int slurp(const char *path, unsigned char **data, size_t *size, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return 1;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "%s", strerror(EISDIR));
		return 1;
	}
	size_t cap = S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size < MAXFILE ? (size_t)st.st_size + 1
											      : 65536;
	size_t n = 0;
	unsigned char *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			snprintf(err, errlen, "out of memory");
			break;
		}
		if (n == cap) {
			if (cap >= MAXFILE) {
				snprintf(err, errlen, "file too large for gortdump (over %zu bytes)", MAXFILE);
				break;
			}
			unsigned char *b = realloc(buf, cap * 2);
			if (!b) {
				snprintf(err, errlen, "out of memory");
				break;
			}
			buf = b;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR) continue;
		if (r < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			break;
		}
		if (r == 0) {
			close(fd);
			*data = buf;
			*size = n;
			return 0;
		}
		n += (size_t)r;
		/* Not ELF: no need to read on (gortdump_analyze says why). */
		if (n >= SELFMAG && memcmp(buf, ELFMAG, SELFMAG) != 0) {
			close(fd);
			*data = buf;
			*size = n;
			return 0;
		}
	}
	free(buf);
	close(fd);
	return 1;
}

int main(int argc, char **argv)
{
	int json = 0;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--") == 0 && i + 2 == argc && !path) {
			path = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "gortdump: unknown option %s\n%s", argv[i], usage);
			return 2;
		} else if (path) {
			fprintf(stderr, "gortdump: one binary at a time\n%s", usage);
			return 2;
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		fputs(usage, stderr);
		return 2;
	}

	char err[512];
	unsigned char *data = NULL;
	size_t size = 0;
	if (slurp(path, &data, &size, err, sizeof err) ||
	    gortdump_analyze(data, size, path, json, stdout, err, sizeof err)) {
		fflush(stdout);
		fprintf(stderr, "gortdump: %s: %s\n", path, err);
		free(data);
		return 1;
	}
	free(data);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "gortdump: writing the report: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
