#!/bin/sh
# bench/sleepers/run.sh: wall time of 10,000 goroutines each sleeping 1 ms
# ten times, at the default GOMAXPROCS (all CPUs), gort against Go. 3
# repetitions per process, 3 processes of each (interleaved), best figure
# (--short: 1,000 goroutines, 2 x 1 process). The floor is 10 ms.
# Target: no slower than Go.
. "$(dirname "$0")/../common/lib.sh"
bench_init sleepers "$@"
N=10000 K=10 REPS=3 ROUNDS=3
[ "$SHORT" = 1 ] && N=1000 REPS=2 ROUNDS=1
go_build sleepers
side_by_side best_ms sleepers "" $N $K $REPS
ratio_line "sleepers  " ms best_ms 1
echo "sleepers   ($N goroutines x $K x 1 ms, floor $K ms, GOMAXPROCS=$(field gomaxprocs "$G"), best of $ROUNDS processes x $REPS repetitions)"
