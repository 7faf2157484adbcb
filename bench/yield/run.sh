#!/bin/sh
# bench/yield/run.sh: ns per switch when two goroutines alternate with
# gort_yield on GOMAXPROCS=1, against Go's runtime.Gosched, and against a
# bare register swap (bench/yield/switch.c, no runtime). 2 x 2,000,000
# yields, 3 repetitions per process, 3 processes of each (gort's and Go's
# interleaved), best figure (--short: 2 x 100,000, 2 repetitions, 1 process).
# Target: 3x faster than Go. Then a lone yield (one goroutine, nothing else
# to run) at GOMAXPROCS=1 and 2, side by side with Go: target <= 50 ns.
. "$(dirname "$0")/../common/lib.sh"
bench_init yield "$@"
ITERS=2000000 REPS=3 ROUNDS=3 SWITERS=20000000
[ "$SHORT" = 1 ] && ITERS=100000 REPS=2 ROUNDS=1 SWITERS=1000000
go_build yield
G='' O='' s='' L1='' L2='' M1='' M2='' i=0
while [ $i -lt $ROUNDS ]; do
	measure yield env GOMAXPROCS=1 "$BIN/yield" $ITERS $REPS
	keep G best_ns
	if [ -n "$GOPROG" ]; then
		measure yield env GOMAXPROCS=1 "$GOPROG" $ITERS $REPS
		keep O best_ns
	fi
	measure switch "$BIN/switch" $SWITERS $REPS
	keep s jmp_best_ns
	for p in 1 2; do
		measure yield env GOMAXPROCS=$p "$BIN/yield" $ITERS $REPS 1 $p
		keep L$p best_ns
		if [ -n "$GOPROG" ]; then
			measure yield env GOMAXPROCS=$p "$GOPROG" $ITERS $REPS 1 $p
			keep M$p best_ns
		fi
	done
	i=$((i + 1))
done
ratio_line "yield     " ns/switch best_ns 3
gn=$(field best_ns "$G")
j=$(field jmp_best_ns "$s")
printf 'yield      bare jmp switch %s ns: gort_yield = %sx the bare switch (+%s ns)\n' \
	"$(fmt "$j")" "$(fmt "$(calc "$gn / $j")")" "$(fmt "$(calc "$gn - $j")")"
printf 'yield      (information: bare switch + MXCSR/x87 CW save %s ns; jmp switch called 1 level down %s ns; push/pop/ret switch %s ns; push+ret resume from matching call sites, as gort_swapctx %s ns)\n' \
	"$(fmt "$(field jmp_fp_best_ns "$s")")" "$(fmt "$(field jmp_d1_best_ns "$s")")" \
	"$(fmt "$(field ret_best_ns "$s")")" "$(fmt "$(field pushret_d1_best_ns "$s")")"
echo "yield      (GOMAXPROCS=1, 2 x $ITERS yields, best of $ROUNDS processes x $REPS repetitions)"
for p in 1 2; do
	eval "g=\$L$p o=\$M$p"
	gl=$(field best_ns "$g")
	ol=; [ -n "$o" ] && ol=$(field best_ns "$o")
	printf 'yield      lone yield, GOMAXPROCS=%s: gort %s ns%s  target <= 50 ns %s\n' "$p" "$(fmt "$gl")" \
		"${ol:+  go $(fmt "$ol") ns}" "$(verdict "$gl" le 50)"
done
