#!/bin/sh
# bench/pingpong/run.sh: ns per round trip when two goroutines exchange a
# value over unbuffered channels, 1,000,000 round trips, GOMAXPROCS=1 and
# 2, gort against Go. 3 repetitions per process, 3 processes of each
# (interleaved), best figure (--short: 50,000 round trips, 2 x 1 process).
# Target: 2x faster than Go.
. "$(dirname "$0")/../common/lib.sh"
bench_init pingpong "$@"
N=1000000 REPS=3 ROUNDS=3
[ "$SHORT" = 1 ] && N=50000 REPS=2 ROUNDS=1
go_build pingpong
for procs in 1 2; do
	side_by_side best_ns pingpong GOMAXPROCS=$procs $N $REPS
	ratio_line "pingpong P=$procs " "ns/round trip" best_ns 2
done
echo "pingpong   ($N round trips, best of $ROUNDS processes x $REPS repetitions)"
