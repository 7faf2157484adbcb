/* plain_env: locale and environment; no gort calls. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
	const char *l = setlocale(LC_ALL, "");
	printf("locale=%s\n", l ? "set" : "failed");
	setenv("PLAIN_ENV_NEW", "yes", 1);
	printf("HOME=%s NEW=%s MISSING=%s\n", getenv("HOME") ? "present" : "absent", getenv("PLAIN_ENV_NEW"),
	       getenv("PLAIN_ENV_MISSING") ? "present" : "absent");
	unsetenv("PLAIN_ENV_NEW");
	printf("after unset=%s\n", getenv("PLAIN_ENV_NEW") ? "present" : "absent");
	return 0;
}
