#!/bin/sh
# bench/pipeio/run.sh: wall time for one writer to feed 1,000 goroutines,
# each parked reading its own pipe, one byte each per round for 100 rounds,
# at GOMAXPROCS=1 and 2, gort against Go. 3 repetitions per process, 3
# processes of each (interleaved), best figure (--short: 10 rounds, 2 x 1
# process). Target: no slower than Go.
. "$(dirname "$0")/../common/lib.sh"
bench_init pipeio "$@"
N=1000 ROUNDS_=100 REPS=3 ROUNDS=3
[ "$SHORT" = 1 ] && ROUNDS_=10 REPS=2 ROUNDS=1
go_build pipeio
for procs in 1 2; do
	side_by_side best_ms pipeio GOMAXPROCS=$procs $N $ROUNDS_ $REPS
	ratio_line "pipeio P=$procs " ms best_ms 1
done
echo "pipeio     ($N readers x $ROUNDS_ rounds, best of $ROUNDS processes x $REPS repetitions)"
