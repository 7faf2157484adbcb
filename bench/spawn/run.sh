#!/bin/sh
# bench/spawn/run.sh: ns per goroutine to create, run and join 1,000,000
# trivial goroutines (WaitGroup join), at GOMAXPROCS=1 and 2, gort against
# Go. Each program repeats the measurement 3 times in one process; the
# driver runs 3 processes of each, gort's and Go's interleaved, and keeps
# the best figure (--short: 20,000 goroutines, 2 x 1 process).
# Target: 5x faster than Go.
. "$(dirname "$0")/../common/lib.sh"
bench_init spawn "$@"
N=1000000 REPS=3 ROUNDS=3
[ "$SHORT" = 1 ] && N=20000 REPS=2 ROUNDS=1
go_build spawn
for procs in 1 2; do
	side_by_side best_ns spawn GOMAXPROCS=$procs $N $REPS
	ratio_line "spawn P=$procs " ns/goroutine best_ns 5
done
echo "spawn      ($N goroutines, best of $ROUNDS processes x $REPS repetitions)"
