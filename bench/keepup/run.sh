#!/bin/sh
# bench/keepup/run.sh: do N goroutines each sleeping 1 ms in a loop keep up?
# (issue #18: 100,000 at the default GOMAXPROCS, each wake-up within 2 ms
# of its due time at p99). For 100,000 sleepers (10^8 wake-ups a second
# asked) it prints the wake-ups per second each runtime delivers and the
# lateness; then the lateness of 2,000 and 4,000 sleepers, around where
# either stops keeping up. One 3 s run of each, gort then Go (--short:
# 10,000 sleepers, 1 s).
. "$(dirname "$0")/../common/lib.sh"
bench_init keepup "$@"
S=3
SIZES="100000 2000 4000"
[ "$SHORT" = 1 ] && S=1 SIZES=10000
go_build keepup
for n in $SIZES; do
	measure keepup "$BIN/keepup" "$n" "$S"
	G=$LINE
	O=
	if [ -n "$GOPROG" ]; then
		measure keepup "$GOPROG" "$n" "$S"
		O=$LINE
	fi
	gw=$(field wakes_per_s "$G") gp=$(field p99_us "$G")
	line="keepup     $n sleepers: gort $(fmt0 "$gw") wake-ups/s, p99 late $(fmt0 "$gp") us"
	if [ -n "$O" ]; then
		ow=$(field wakes_per_s "$O") op=$(field p99_us "$O")
		line="$line   go $(fmt0 "$ow") wake-ups/s, p99 late $(fmt0 "$op") us   gort/go $(fmt "$(calc "$gw / $ow")")x"
	fi
	echo "$line   (asked $(fmt0 "$(field ideal_per_s "$G")")/s; keeps up: p99 <= 2000 us: $(verdict "$gp" le 2000))"
done
echo "keepup     (GOMAXPROCS=$(field gomaxprocs "$G"), ${S} s per run, the first 0.5 s left out; 10 us buckets; 'p99 late 100010' means 100 ms or more)"
