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
	g='' o='' i=0
	while [ $i -lt $ROUNDS ]; do
		measure spawn env GOMAXPROCS=$procs "$BIN/spawn" $N $REPS
		keep g best_ns
		if [ -n "$GOPROG" ]; then
			measure spawn env GOMAXPROCS=$procs "$GOPROG" $N $REPS
			keep o best_ns
		fi
		i=$((i + 1))
	done
	gn=$(field best_ns "$g")
	if [ -n "$GOPROG" ]; then
		on=$(field best_ns "$o")
		r=$(calc "$on / $gn")
		printf 'spawn P=%s  gort %6s ns/goroutine   go %6s ns/goroutine   go/gort %sx   target >= 5x  %s\n' \
			$procs "$(fmt "$gn")" "$(fmt "$on")" "$(fmt "$r")" "$(verdict "$r" ge 5)"
	else
		printf 'spawn P=%s  gort %6s ns/goroutine   go: not found   target >= 5x  n/a\n' $procs "$(fmt "$gn")"
	fi
done
echo "spawn      ($N goroutines, best of $ROUNDS processes x $REPS repetitions)"
