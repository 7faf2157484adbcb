# bench/common/lib.sh: sourced by every driver (bench/<name>/run.sh), POSIX sh.
#
#   bench_init NAME "$@"   parses --short, sets ROOT, BIN (build/bench), SHORT
#   go_build NAME          builds bench/NAME/go into $BIN/NAME_go if `go` is
#                          installed; sets GOPROG (empty without Go)
#   field KEY LINE         the value of KEY=value in LINE
#   calc EXPR              awk arithmetic (prints the value as awk does)
#   fmt VALUE, fmt0 VALUE  3 significant digits at most; an integer
#   verdict VALUE OP LIMIT PASS or MISS (no timing assertion: drivers only print it)
#   measure PATTERN CMD... runs a program, LINE = its result line (stops on failure)
#   try PATTERN CMD...     the same, but status 124 (a watchdog's timeout) leaves LINE empty
#   keep VAR KEY           VAR = LINE if LINE's KEY is smaller (best of runs)
#   side_by_side KEY PROG ENV ARGS...
#                          ROUNDS interleaved runs of $BIN/PROG and Go's twin;
#                          G and O = their best lines by KEY (O empty without Go)
#   cputime PID            ns the process's threads have run so far (the sum of
#                          /proc/PID/task/*/schedstat's first fields): a server's
#                          CPU per request, when the client shares its CPUs
#   median N...            the median of the numbers
#   ratio_line LABEL UNIT KEY TARGET
#                          prints "LABEL gort ... go ... go/gort Rx target >= TARGETx PASS"
#
# Nothing here installs anything: without Go, drivers print gort's figures
# alone and say so. GO=/path/to/go picks another Go.
set -eu

bench_init() {
	NAME=$1
	shift
	SHORT=0
	for a in "$@"; do
		case $a in
		--short) SHORT=1 ;;
		*) echo "usage: $0 [--short]" >&2; exit 2 ;;
		esac
	done
	ROOT=$(cd "$(dirname "$0")/../.." && pwd)
	BIN=${BENCH_BIN:-$ROOT/build/bench}
	if [ ! -d "$BIN" ]; then
		echo "$NAME: $BIN missing: run 'make bench' (or 'make bench-short')" >&2
		exit 1
	fi
	GO=${GO:-go}
	GOPROG=
}

# go_build NAME: std-only programs, built with an environment that depends on
# no user setting (HOME, GOPATH, GOFLAGS, go env files) so that it works in CI.
go_build() {
	GOPROG=
	if ! command -v "$GO" >/dev/null 2>&1; then
		echo "$1: Go not found: gort's figures alone (apt-get install golang-go for the comparison)"
		return 0
	fi
	out=$BIN/$1_go
	if (cd "$ROOT/bench/$1/go" && env GOENV=off GOFLAGS= GO111MODULE=on GOTOOLCHAIN=local \
		GOCACHE="$ROOT/build/go-cache" GOPATH="$ROOT/build/go-path" \
		GOMODCACHE="$ROOT/build/go-path/pkg/mod" CGO_ENABLED=0 \
		"$GO" build -o "$out" . ) >"$BIN/$1_go.log" 2>&1; then
		GOPROG=$out
		GOVERSION=$("$GO" version 2>/dev/null | awk '{print $3}')
	else
		echo "$1: go build failed (see $BIN/$1_go.log): gort's figures alone"
	fi
}

# field KEY LINE...: value of the first KEY=value word.
field() {
	k=$1
	shift
	echo "$*" | tr ' ' '\n' | sed -n "s/^$k=//p" | head -n 1
}

calc() { awk "BEGIN { printf \"%s\", $1 }"; }

# fmt VALUE: a figure with 3 significant digits at most, no exponent.
fmt() {
	awk -v v="$1" 'BEGIN {
		a = v < 0 ? -v : v
		if (a >= 100) printf "%.0f", v; else if (a >= 10) printf "%.1f", v; else printf "%.2f", v }'
}

# fmt0 VALUE: rounded to an integer.
fmt0() { awk -v v="$1" 'BEGIN { printf "%.0f", v }'; }

# verdict VALUE OP LIMIT, OP one of ge le.
verdict() {
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
		ok = (op == "ge") ? (v + 0 >= l + 0) : (v + 0 <= l + 0)
		print ok ? "PASS" : "MISS" }'
}

# measure PATTERN CMD...: runs CMD (a benchmark program, possibly behind
# `env VAR=value`) and sets LINE to its output line that starts with
# "PATTERN ". A crash, a non-zero status (the programs check their results)
# or a missing line stops the driver with the program's output shown.
measure() { run_measured "" "$@"; }

# try PATTERN CMD...: measure, except that a watchdog's timeout (status
# 124) is a result, not a failure: LINE is then empty.
try() { run_measured 124 "$@"; }

run_measured() {
	okrc=$1 pat=$2
	shift 2
	rc=0
	out=$("$@" 2>&1) || rc=$?
	LINE=
	[ -n "$okrc" ] && [ $rc = "$okrc" ] && return 0
	if [ $rc != 0 ]; then
		echo "$NAME: '$*' failed:" >&2
		echo "$out" >&2
		exit 1
	fi
	LINE=$(echo "$out" | grep "^$pat " | head -n 1) || true
	if [ -z "$LINE" ]; then
		echo "$NAME: '$*' printed no '$pat' line:" >&2
		echo "$out" >&2
		exit 1
	fi
}

# keep VAR KEY: VAR = LINE if VAR is empty or LINE has a smaller KEY value
# (the best of several runs; the drivers interleave gort's and Go's runs).
keep() {
	eval "cur=\${$1}"
	if [ -z "$cur" ] || [ "$(calc "$(field "$2" "$LINE") < $(field "$2" "$cur")")" = 1 ]; then
		eval "$1=\$LINE"
	fi
}

# side_by_side KEY PROG ENV ARGS...: ROUNDS rounds, each running $BIN/PROG
# then (with Go) $GOPROG with ARGS, under `env ENV` (ENV a VAR=value word, or
# empty); G and O are the best result lines by KEY, O empty without Go.
side_by_side() {
	sbs_key=$1 sbs_prog=$2 sbs_env=$3
	shift 3
	G='' O='' sbs_i=0
	while [ $sbs_i -lt "$ROUNDS" ]; do
		measure "$sbs_prog" env $sbs_env "$BIN/$sbs_prog" "$@"
		keep G "$sbs_key"
		if [ -n "$GOPROG" ]; then
			measure "$sbs_prog" env $sbs_env "$GOPROG" "$@"
			keep O "$sbs_key"
		fi
		sbs_i=$((sbs_i + 1))
	done
}

# ratio_line LABEL UNIT KEY TARGET: the driver's line for KEY of G against O
# (smaller is better: the ratio is go/gort), with its verdict against
# "go/gort >= TARGET"; without Go, gort's figure alone.
ratio_line() {
	gv=$(field "$3" "$G")
	if [ -n "$O" ]; then
		ov=$(field "$3" "$O")
		r=$(calc "$ov / $gv")
		printf '%s gort %6s %s   go %6s %s   go/gort %sx   target >= %sx  %s\n' "$1" "$(fmt "$gv")" "$2" \
			"$(fmt "$ov")" "$2" "$(fmt "$r")" "$4" "$(verdict "$r" ge "$4")"
	else
		printf '%s gort %6s %s   go: not found   target >= %sx  n/a\n' "$1" "$(fmt "$gv")" "$2" "$4"
	fi
}

cputime() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'
}

median() {
	echo "$@" | tr ' ' '\n' | grep . | sort -n |
		awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
