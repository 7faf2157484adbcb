// unwind_cxx.cc: an exception no one catches, thrown four levels down in
// a goroutine, built by gortc++ with -fomit-frame-pointer: the crash report
// (std::terminate's SIGABRT) shows the throwing frames up to worker
// (test/debug/debug_unwind.c, issue #15 item 1).
#include <gort.h>
#include <stdexcept>
#define LEVEL __attribute__((noinline, noclone))
volatile int sink;
LEVEL static void throw4(int x) { if (x > sink) throw std::runtime_error("unwind test"); sink++; }
LEVEL static void throw3(int x) { throw4(x + 1); sink++; }
LEVEL static void throw2(int x) { throw3(x + 1); sink++; }
LEVEL static void throw1(int x) { throw2(x + 1); sink++; }
static void worker(void *) { throw1(1); }
int main()
{
	gort_go(worker, nullptr);
	gort_sleep(10LL * 1000000000LL);
	return 0;
}
