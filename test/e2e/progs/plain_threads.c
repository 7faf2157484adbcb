/* plain_threads: pthreads, TLS and errno per thread; no gort calls. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
static __thread int tls = 5;
static void *run(void *arg)
{
	tls = (int)(long)arg;
	errno = (int)(long)arg;
	return (void *)(long)(tls * 10 + (errno == (int)(long)arg));
}
int main(void)
{
	pthread_t t[4];
	for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, run, (void *)(i + 1));
	long sum = 0;
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		sum += (long)r;
	}
	printf("sum=%ld main tls=%d\n", sum, tls);
	return 0;
}
