// cxx.cc: a C++ program on gort (gortc++, or g++ with the plain flags).
// Static constructors and destructors, iostream, new/delete, containers,
// an init task, exceptions thrown and caught inside goroutines that park
// inside the catch block, migrate to other threads and rethrow (`throw;`
// must find their own exception: the exception state is the goroutine's),
// std::thread beside goroutines. `cxx escape`: an exception leaves a
// goroutine's function (std::terminate, what() printed, exit status 2).
#include <gort.h>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <sys/syscall.h>
#include <unistd.h>

struct Global {
	Global() { std::printf("static constructor\n"); }
	~Global() { std::printf("static destructor\n"); }
} global;

static int inited;
static void init_task() { inited = 1; }
GORT_INIT(cxxinit, init_task);

static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static std::atomic<long> wrong, migrated, caught;

static long tid() { return syscall(SYS_gettid); }

static void worker(void *arg)
{
	long i = (long)arg;
	std::unique_ptr<std::vector<std::string>> v(new std::vector<std::string>);
	std::map<int, std::string> m;
	for (int k = 0; k < 50; k++) v->push_back(std::to_string(k)), m[k] = (*v)[k];
	try {
		gort_sleep(200000);
		throw std::runtime_error("goroutine " + std::to_string(i));
	} catch (const std::exception &) {
		long t0 = tid();
		/* Until it runs on another thread (a steal: likely within a
		 * few rounds, not certain; 5 fixed rounds saw none once in a
		 * clean-clone run), 50 rounds at most. */
		for (int k = 0; k < 50 && (k < 5 || tid() == t0); k++) {
			for (int64_t s = gort_nanotime(); gort_nanotime() - s < 20000;)
				;
			k % 2 ? gort_yield() : gort_sleep(100000);
		}
		if (tid() != t0) migrated++;
		try {
			throw; // the exception this goroutine caught, wherever it runs now
		} catch (const std::runtime_error &e) {
			if (std::string(e.what()) != "goroutine " + std::to_string(i)) wrong++;
			caught++;
		}
	}
#if __cplusplus >= 201703L
	if (std::uncaught_exceptions() != 0) wrong++;
#endif
	if (m.size() != 50) wrong++;
	gort_wg_done(&wg);
}

int main(int argc, char **argv)
{
	std::cout << "iostream ok, init task " << inited << std::endl;
	if (argc > 1 && std::string(argv[1]) == "escape") {
		gort_go([](void *) { throw std::logic_error("escaped from a goroutine"); }, nullptr);
		gort_sleep(1000000000);
		return 0;
	}
	std::atomic<int> threadran{0};
	std::thread th([&] { threadran = 1; });
	enum { N = 64 };
	gort_wg_add(&wg, N);
	for (long i = 0; i < N; i++) gort_go(worker, (void *)i);
	gort_wg_wait(&wg);
	th.join();
	std::cout << "caught " << caught << " wrong " << wrong << " migrated " << (migrated > 0 ? "yes" : "no")
		  << " thread " << threadran << std::endl;
	return 0;
}
