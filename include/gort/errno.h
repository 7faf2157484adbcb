/* <errno.h> as a gort program sees it: the libc's errno.h, then errno read
 * through gort_errno_location().
 *
 * Why: errno belongs to the goroutine (the runtime saves and restores its
 * value at every switch), but the libc declares __errno_location() const,
 * so a compiler may keep the thread's errno address across a call that
 * parks the goroutine and resumes it on another thread, and then read or
 * write the first thread's errno. gort_errno_location() is not const: the
 * compiler asks again after every call.
 *
 * How: gortcc and the pkg-config flags put this directory first in the
 * system include path (-isystem), so every #include <errno.h> of the
 * program, in its own place and after its own feature-test macros, gets the
 * libc's header (#include_next) and then this override. Nothing else
 * changes: no other header, no other declaration, nothing for assembly.
 * Rejected: -include gort.h in every file (it included the libc's headers
 * before the program's #define _GNU_SOURCE, and reached .S files). */
#include_next <errno.h>

#ifndef GORT__ERRNO_LOCATION_DECLARED
#define GORT__ERRNO_LOCATION_DECLARED
#ifdef __cplusplus
extern "C" int *gort_errno_location(void);
#else
int *gort_errno_location(void);
#endif
#endif

#if !defined(GORT_NO_ERRNO_OVERRIDE) && !defined(__ASSEMBLER__)
#undef errno
#define errno (*gort_errno_location())
#endif
