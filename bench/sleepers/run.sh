#!/bin/sh
# bench/sleepers/run.sh: wall time of 10,000 goroutines each sleeping 1 ms
# ten times, at the default GOMAXPROCS (all CPUs), gort against Go. 10
# repetitions per process, 3 processes of each (interleaved), best figure
# (--short: 1,000 goroutines, 2 x 1 process). The floor is 10 ms.
# Ten, not three: the first repetitions of a process measure its new
# stacks, not its timers. Each goroutine that starts while all the stacks
# are in use takes a new one, whose first page costs 15-25 us on a VM
# (populate and first touch), and the count of stacks grows over the first
# three to five repetitions (as many goroutines are alive at once as start
# before the first ones end, and starting is slower while stacks are new);
# Go's runtime grows its heap the same way. The best of ten is the
# steady state of both (bench/README, tenth session).
# Target (#18): at most 0.5x Go's wall time (go/gort >= 2x).
. "$(dirname "$0")/../common/lib.sh"
bench_init sleepers "$@"
N=10000 K=10 REPS=10 ROUNDS=3
[ "$SHORT" = 1 ] && N=1000 REPS=2 ROUNDS=1
go_build sleepers
side_by_side best_ms sleepers "" $N $K $REPS
ratio_line "sleepers  " ms best_ms 2
echo "sleepers   ($N goroutines x $K x 1 ms, floor $K ms, GOMAXPROCS=$(field gomaxprocs "$G"), best of $ROUNDS processes x $REPS repetitions)"
