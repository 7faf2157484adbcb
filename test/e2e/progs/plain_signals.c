/* plain_signals: handlers, masks, and death by signal; no gort calls. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static volatile sig_atomic_t got;
static void on_usr1(int sig) { got = sig; }
int main(int argc, char **argv)
{
	signal(SIGUSR1, on_usr1);
	raise(SIGUSR1);
	printf("handler got %d\n", (int)got);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR2);
	sigset_t pend;
	sigpending(&pend);
	printf("SIGUSR2 pending=%d\n", sigismember(&pend, SIGUSR2));
	fflush(stdout);
	if (argc > 1 && !strcmp(argv[1], "term")) raise(SIGTERM);
	if (argc > 1 && !strcmp(argv[1], "abort")) abort();
	return 0;
}
