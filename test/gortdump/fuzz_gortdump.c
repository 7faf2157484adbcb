/* fuzz_gortdump.c: libFuzzer target for gortdump's ELF reader: every input
 * goes through gortdump_analyze, text and JSON, printing to /dev/null (so
 * the formatting of whatever was read is exercised too). Must never crash,
 * leak, or write to the input (libFuzzer checks the last).
 *
 *   make fuzz-gortdump-short           20 s from the seeds (CI)
 *   build/fuzz/gortdump -max_total_time=600 build/fuzz/gortdump-corpus build/test/gortdump-inputs/seed */
#include <stdint.h>
#include <stdio.h>
#include "gortdump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	if (!devnull) devnull = fopen("/dev/null", "w");
	if (!devnull) return 0;
	char err[256];
	gortdump_analyze(data, size, "fuzz", 0, devnull, err, sizeof err);
	gortdump_analyze(data, size, "fuzz", 1, devnull, err, sizeof err);
	return 0;
}
