#!/bin/sh
# bench/pipeecho/run.sh: ns per round trip of 100 goroutine pairs, each
# echoing 64-byte messages over two pipes, 2,000 round trips per pair, at
# GOMAXPROCS=1 and 2, gort against Go. 3 repetitions per process, 3
# processes of each (interleaved), best figure (--short: 200 round trips,
# 2 x 1 process). Target: 1.5x Go, as issue #18 asks of servers (pipes
# take the same path as sockets: runtime/iobatch.c).
. "$(dirname "$0")/../common/lib.sh"
bench_init pipeecho "$@"
PAIRS=100 RT=2000 REPS=3 ROUNDS=3
[ "$SHORT" = 1 ] && RT=200 REPS=2 ROUNDS=1
go_build pipeecho
for procs in 1 2; do
	side_by_side best_ns pipeecho GOMAXPROCS=$procs $PAIRS $RT $REPS
	ratio_line "pipeecho P=$procs" ns best_ns 1.5
done
echo "pipeecho   ($PAIRS pairs x $RT round trips, best of $ROUNDS processes x $REPS repetitions)"
