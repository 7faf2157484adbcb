#!/bin/sh
# bench/mpmc/run.sh: ns per value when 100 producers and 8 consumers share
# one buffered channel (capacity 64): contention on one channel's lock,
# which bench/pingpong (two goroutines, usually on one P) does not show.
# 100 x 20,000 values, GOMAXPROCS=2 and 8, gort against Go. 3 repetitions
# per process, 3 processes of each (interleaved), best figure (--short:
# 100 x 1,000 values, 2 x 1 process). Target (ours, not an issue's): no
# slower than Go.
. "$(dirname "$0")/../common/lib.sh"
bench_init mpmc "$@"
N=20000 REPS=3 ROUNDS=3
[ "$SHORT" = 1 ] && N=1000 REPS=2 ROUNDS=1
go_build mpmc
for procs in 2 8; do
	side_by_side best_ns mpmc GOMAXPROCS=$procs $N $REPS
	ratio_line "mpmc P=$procs     " ns/value best_ns 1
done
echo "mpmc       (100 producers x $N values, 8 consumers, one channel of capacity 64, best of $ROUNDS processes x $REPS repetitions)"
