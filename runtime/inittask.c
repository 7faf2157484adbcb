/* inittask.c: the order in which init tasks run (Go's doInit, with explicit
 * dependencies instead of package imports). Pure: no globals, no allocation;
 * proc.c's doinit runs the tasks in the order computed here.
 *
 * The order is a depth-first walk of the tasks in declaration order,
 * visiting a task's dependencies in the order they are listed before the
 * task itself. So every task runs after all of its dependencies, each runs
 * once, and where the graph leaves a choice the order is the declaration
 * order. Declaration order is link order across files; within a file the
 * records of one object are contiguous in the table but the compiler may
 * emit them in any order (GCC reverses them), so within a run of records of
 * the same file, the source line decides.
 *
 * Invariant: state[i] is 0 (not visited), 1 (on the current path) or
 * 2 (placed in order[]). Meeting a dependency in state 1 is a cycle: the
 * path from that dependency to the current task. */
#include "runtime.h"

struct walk {
	const struct gort_inittask *t;
	size_t n;
	uint32_t *order, *path;
	uint8_t *state;
	size_t norder, npath;
	size_t cyclestart; /* index into path where the cycle begins */
	bool bad;          /* a dependency outside the table */
};

static bool visit(struct walk *w, uint32_t i)
{
	if (w->state[i] == 2) return true;
	if (w->state[i] == 1) {
		for (size_t k = 0; k < w->npath; k++)
			if (w->path[k] == i) w->cyclestart = k;
		return false;
	}
	w->state[i] = 1;
	w->path[w->npath++] = i;
	for (const struct gort_inittask *const *d = w->t[i].deps; d && *d; d++) {
		if (*d < w->t || *d >= w->t + w->n) {
			w->bad = true;
			w->cyclestart = w->npath - 1;
			return false;
		}
		if (!visit(w, (uint32_t)(*d - w->t))) return false;
	}
	w->npath--;
	w->state[i] = 2;
	w->order[w->norder++] = i;
	return true;
}

static bool samefile(const struct gort_inittask *a, const struct gort_inittask *b)
{
	const char *x = a->file, *y = b->file;
	if (x == y) return true;
	if (!x || !y) return false;
	while (*x && *x == *y) x++, y++;
	return *x == *y;
}

/* order_inittasks: see runtime.h. order, state and stack hold n entries.
 * Returns 0, or -1 on a cycle (order[0..*ncycle) then names the tasks of the
 * cycle, in dependency order), or -2 when a record names a dependency that is
 * not in the table (order[0] is the task). */
int order_inittasks(const struct gort_inittask *t, size_t n, uint32_t *order,
		    uint8_t *state, uint32_t *stack, size_t *ncycle)
{
	struct walk w = {t, n, order, stack, state, 0, 0, 0, false};
	for (size_t i = 0; i < n; i++) state[i] = 0;
	uint32_t i = 0;
	while (i < n) {
		/* Every record before i is visited. The next root: the unvisited
		 * record with the lowest line in the run of records from the
		 * same file that starts at i. */
		uint32_t best = i;
		for (uint32_t k = i; k < n && samefile(&t[k], &t[i]); k++)
			if (state[k] == 0 && (state[best] != 0 || t[k].line < t[best].line)) best = k;
		if (state[best] != 0) {
			i++;
			continue;
		}
		if (visit(&w, best)) continue;
		size_t k = 0;
		for (size_t j = w.cyclestart; j < w.npath; j++) order[k++] = stack[j];
		*ncycle = k;
		return w.bad ? -2 : -1;
	}
	*ncycle = 0;
	return 0;
}
