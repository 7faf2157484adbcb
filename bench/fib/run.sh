#!/bin/sh
# bench/fib/run.sh: fork-join fib(30), a goroutine per call above cutoff 12
# (6,764 goroutines), at GOMAXPROCS=1 and 2: wall time (best of 5 processes
# x 50 runs, gort's and Go's interleaved; 1 x 5 with --short), speedup
# P=1/P=2, and the result checked (832040).
# Targets: speedup >= 1.8 on 2 cores, and faster than Go.
. "$(dirname "$0")/../common/lib.sh"
bench_init fib "$@"
N=30 REPS=50 ROUNDS=5
[ "$SHORT" = 1 ] && REPS=5 ROUNDS=1
go_build fib
g1='' g2='' o1='' o2='' i=0
while [ $i -lt $ROUNDS ]; do
	for p in 1 2; do
		measure fib env GOMAXPROCS=$p "$BIN/fib" $N $REPS
		[ "$(field result "$LINE")" = 832040 ] || { echo "fib: wrong result: $LINE" >&2; exit 1; }
		keep g$p best_ms
		if [ -n "$GOPROG" ]; then
			measure fib env GOMAXPROCS=$p "$GOPROG" $N $REPS
			keep o$p best_ms
		fi
	done
	i=$((i + 1))
done
gt1=$(field best_ms "$g1") gt2=$(field best_ms "$g2") gs=$(field seq_ms "$g1")
ng=$(field goroutines "$g1")
gsp=$(calc "$gt1 / $gt2")
if [ -n "$GOPROG" ]; then
	ot1=$(field best_ms "$o1") ot2=$(field best_ms "$o2") os=$(field seq_ms "$o1")
	for p in 1 2; do
		if [ $p = 1 ]; then gt=$gt1 ot=$ot1; else gt=$gt2 ot=$ot2; fi
		r=$(calc "$ot / $gt")
		printf 'fib P=%s    gort %6s ms   go %6s ms   go/gort %sx   target: faster than Go  %s\n' \
			$p "$(fmt "$gt")" "$(fmt "$ot")" "$(fmt "$r")" "$(verdict "$r" ge 1)"
	done
	osp=$(calc "$ot1 / $ot2")
	printf 'fib        speedup P=1/P=2: gort %sx   go %sx   target >= 1.8x  %s\n' \
		"$(fmt "$gsp")" "$(fmt "$osp")" "$(verdict "$gsp" ge 1.8)"
	printf 'fib        (plain recursive fib(30): gort %s ms, go %s ms; so per goroutine at P=1: gort %s ns, go %s ns)\n' \
		"$(fmt "$gs")" "$(fmt "$os")" "$(fmt0 "$(calc "($gt1 - $gs) * 1e6 / $ng")")" \
		"$(fmt0 "$(calc "($ot1 - $os) * 1e6 / $ng")")"
else
	printf 'fib P=1    gort %6s ms   go: not found\nfib P=2    gort %6s ms   go: not found\n' \
		"$(fmt "$gt1")" "$(fmt "$gt2")"
	printf 'fib        speedup P=1/P=2: gort %sx   target >= 1.8x  %s\n' "$(fmt "$gsp")" "$(verdict "$gsp" ge 1.8)"
	printf 'fib        (plain recursive fib(30): gort %s ms)\n' "$(fmt "$gs")"
fi
echo "fib        (fib($N) = 832040 checked, $ng goroutines, cutoff 12, best of $ROUNDS processes x $REPS runs)"
