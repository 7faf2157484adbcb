/* test_inittask.c: init-task ordering: dependencies first, declaration
 * order where the graph leaves a choice, cycles named. */
#include <criterion/criterion.h>
#include <string.h>
#include "runtime.h"

static void nop(void) {}

static char *order_str(const struct gort_inittask *t, size_t n, int *rc)
{
	static char buf[512];
	uint32_t order[64], stack[64];
	uint8_t state[64];
	size_t nc;
	*rc = order_inittasks(t, n, order, state, stack, &nc);
	buf[0] = 0;
	size_t m = *rc == 0 ? n : nc;
	for (size_t i = 0; i < m; i++) {
		if (i) strcat(buf, " ");
		strcat(buf, t[order[i]].name);
	}
	return buf;
}

#define T(name, file, line, deps) {name, nop, deps, file, line}

Test(inittask, dependencies_first_then_declaration_order)
{
	static struct gort_inittask t[5];
	static const struct gort_inittask *const d_log[] = {&t[1], NULL};
	static const struct gort_inittask *const d_cache[] = {&t[1], &t[0], NULL};
	static const struct gort_inittask *const d_server[] = {&t[4], &t[2], NULL};
	static const struct gort_inittask *const d_db[] = {&t[1], NULL};
	struct gort_inittask init[5] = {
		T("log", "a.c", 10, d_log), T("config", "a.c", 11, NULL), T("cache", "a.c", 12, d_cache),
		T("server", "b.c", 3, d_server), T("db", "b.c", 4, d_db),
	};
	memcpy(t, init, sizeof t);
	int rc;
	cr_assert_str_eq(order_str(t, 5, &rc), "config log cache db server");
	cr_assert_eq(rc, 0);
}

Test(inittask, records_emitted_in_reverse_keep_declaration_order)
{
	/* GCC emits a file's records last-declared first: lines decide. */
	struct gort_inittask t[4] = {
		T("third", "a.c", 30, NULL), T("second", "a.c", 20, NULL), T("first", "a.c", 10, NULL),
		T("other_file", "b.c", 1, NULL),
	};
	int rc;
	cr_assert_str_eq(order_str(t, 4, &rc), "first second third other_file");
}

Test(inittask, each_task_runs_once_in_a_diamond)
{
	static struct gort_inittask t[4];
	static const struct gort_inittask *const d_b[] = {&t[0], NULL};
	static const struct gort_inittask *const d_c[] = {&t[0], NULL};
	static const struct gort_inittask *const d_d[] = {&t[2], &t[1], NULL};
	struct gort_inittask init[4] = {T("a", "x.c", 1, NULL), T("b", "x.c", 2, d_b), T("c", "x.c", 3, d_c),
					T("d", "x.c", 4, d_d)};
	memcpy(t, init, sizeof t);
	int rc;
	cr_assert_str_eq(order_str(t, 4, &rc), "a b c d");
}

Test(inittask, cycle_is_reported_with_its_members)
{
	static struct gort_inittask t[4];
	static const struct gort_inittask *const d_a[] = {&t[2], NULL};
	static const struct gort_inittask *const d_b[] = {&t[0], NULL};
	static const struct gort_inittask *const d_c[] = {&t[1], NULL};
	struct gort_inittask init[4] = {T("free", "x.c", 0, NULL), T("a", "x.c", 1, d_a),
					T("b", "x.c", 2, d_b), T("c", "x.c", 3, d_c)};
	memcpy(t, init, sizeof t);
	/* fix the dependency indices: a->c, b->a, c->b */
	static const struct gort_inittask *const da[] = {&t[3], NULL}, *const db[] = {&t[1], NULL},
						  *const dc[] = {&t[2], NULL};
	t[1].deps = da;
	t[2].deps = db;
	t[3].deps = dc;
	int rc;
	cr_assert_str_eq(order_str(t, 4, &rc), "a c b");
	cr_assert_eq(rc, -1);
}

Test(inittask, self_dependency_is_a_cycle)
{
	static struct gort_inittask t[1];
	static const struct gort_inittask *const d[] = {&t[0], NULL};
	t[0] = (struct gort_inittask)T("me", "x.c", 1, d);
	int rc;
	cr_assert_str_eq(order_str(t, 1, &rc), "me");
	cr_assert_eq(rc, -1);
}

Test(inittask, dependency_outside_the_table)
{
	static struct gort_inittask stray = T("stray", "y.c", 1, NULL);
	static const struct gort_inittask *const d[] = {&stray, NULL};
	struct gort_inittask t[1] = {T("x", "x.c", 1, d)};
	int rc;
	order_str(t, 1, &rc);
	cr_assert_eq(rc, -2);
}
