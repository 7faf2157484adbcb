#!/bin/sh
# bench/startup/run.sh: start-up and exit of a hello world, whole process
# (fork to waitpid), gort against the libc's own crt1, run side by side by
# build/bench/startup (runner.c): 1000 interleaved rounds (50 with --short)
# in two runs (the target's candidates, then glibc and Go; see below),
# median and p90. Target (issue #18, "Performance at the floor"; the boot
# path issue's was 1.3x): gort (musl static) within 1.15x of musl's crt1.
# glibc (dynamic) for information; Go's hello world (fmt.Println) for
# reference when Go is installed.
. "$(dirname "$0")/../common/lib.sh"
bench_init startup "$@"
ROUNDS=1000
[ "$SHORT" = 1 ] && ROUNDS=50
go_build startup
# Two runs, each interleaved within itself: the target's candidates (the
# two musl static programs and the fork baseline), then the information
# and reference ones (glibc, Go). Go's hello world starts threads on both
# CPUs and leaves exit work behind it; interleaved with the target's pair
# it slowed the process that came next, gort's more than musl's (measured
# 2026-11-26: gort/musl 1.36x with Go in the rotation, 1.24x without).
if ! out=$("$BIN/startup" "$ROUNDS" gort-musl="$BIN/hello_gort" musl="$BIN/hello_musl" fork=-); then
	echo "startup: the runner failed" >&2
	exit 1
fi
set -- gort-glibc="$BIN/hello_gort_glibc" glibc="$BIN/hello_glibc" gort-musl2="$BIN/hello_gort"
[ -n "$GOPROG" ] && set -- "$@" go="$GOPROG"
if ! out2=$("$BIN/startup" "$ROUNDS" "$@"); then
	echo "startup: the runner failed" >&2
	exit 1
fi
out="$out
$out2"

get() { field "$2" "$(echo "$out" | grep "^cand=$1 ")"; }
line() { # label cand
	printf '  %-28s median %6s us   p90 %6s us   min %6s us\n' "$1" \
		"$(fmt "$(get "$2" median_us)")" "$(fmt "$(get "$2" p90_us)")" "$(fmt "$(get "$2" min_us)")"
}
echo "startup: $ROUNDS interleaved rounds of fork+execve+waitpid, stdout to /dev/null"
line "gort, musl static" gort-musl
line "musl crt1, static" musl
line "gort, glibc dynamic" gort-glibc
line "glibc crt1, dynamic" glibc
[ -n "$GOPROG" ] && line "Go ($GOVERSION, fmt.Println)" go
line "fork+_exit, no execve" fork
gm=$(get gort-musl median_us); m=$(get musl median_us)
r=$(calc "$gm / $m")
printf 'startup    gort %6s us   musl %6s us   gort/musl %sx   target <= 1.15x  %s   (median; gort adds %s us)\n' \
	"$(fmt "$gm")" "$(fmt "$m")" "$(fmt "$r")" "$(verdict "$r" le 1.15)" "$(fmt "$(calc "$gm - $m")")"
gg=$(get gort-glibc median_us); g=$(get glibc median_us)
printf 'startup    gort %6s us   glibc %5s us   gort/glibc %sx  (glibc dynamic, information)\n' \
	"$(fmt "$gg")" "$(fmt "$g")" "$(fmt "$(calc "$gg / $g")")"
if [ -n "$GOPROG" ]; then
	gon=$(get go median_us); gm2=$(get gort-musl2 median_us)
	printf 'startup    gort %6s us   go %8s us   go/gort %sx   (Go hello world: fmt.Println, reference; same run)\n' \
		"$(fmt "$gm2")" "$(fmt "$gon")" "$(fmt "$(calc "$gon / $gm2")")"
else
	echo "startup    go: not found (no Go reference figure)"
fi
