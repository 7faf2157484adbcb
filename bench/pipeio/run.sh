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
	g='' o='' i=0
	while [ $i -lt $ROUNDS ]; do
		measure pipeio env GOMAXPROCS=$procs "$BIN/pipeio" $N $ROUNDS_ $REPS
		keep g best_ms
		if [ -n "$GOPROG" ]; then
			measure pipeio env GOMAXPROCS=$procs "$GOPROG" $N $ROUNDS_ $REPS
			keep o best_ms
		fi
		i=$((i + 1))
	done
	gm=$(field best_ms "$g")
	if [ -n "$GOPROG" ]; then
		om=$(field best_ms "$o")
		r=$(calc "$om / $gm")
		printf 'pipeio P=%s  gort %6s ms   go %6s ms   go/gort %sx   target >= 1x  %s\n' \
			$procs "$(fmt "$gm")" "$(fmt "$om")" "$(fmt "$r")" "$(verdict "$r" ge 1)"
	else
		printf 'pipeio P=%s  gort %6s ms   go: not found   target >= 1x  n/a\n' $procs "$(fmt "$gm")"
	fi
done
echo "pipeio     ($N readers x $ROUNDS_ rounds, best of $ROUNDS processes x $REPS repetitions)"
