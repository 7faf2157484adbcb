#!/bin/sh
# install-deps.sh: installs the Debian packages gort needs to build and test,
# when they are missing. Run by `make` (once, stamped in build/.deps-ok) and
# by .ci/run. Needs root (or sudo) only when something is missing.
need=
have() { command -v "$1" >/dev/null 2>&1; }
have musl-gcc || need="$need musl-tools musl-dev"
[ -f /usr/include/criterion/criterion.h ] || need="$need libcriterion-dev"
have gdb || need="$need gdb"
have lldb || need="$need lldb"
# lldb's Python scripting (tools/lldb/gort_lldb.py) is a package of its own,
# python3-lldb-N for lldb N (lldb-N depends on it; this puts back one removed).
if have lldb; then
	v=$(lldb --version 2>/dev/null | sed -n 's/^lldb version \([0-9]*\)\..*/\1/p')
	[ -n "$v" ] && ! ls /usr/lib/llvm-"$v"/lib/python3*/dist-packages/lldb/__init__.py >/dev/null 2>&1 &&
		need="$need python3-lldb-$v"
fi
have pkg-config || need="$need pkg-config"
[ -f /usr/include/libelf.h ] || need="$need libelf-dev"
have clang || need="$need clang"
have valgrind || need="$need valgrind"
have python3 || need="$need python3"
# test/observe decodes traces and profiles with protoc --decode.
have protoc || need="$need protobuf-compiler"
# make bench's HTTP load (bench/http).
have wrk || need="$need wrk"
# Go: the benchmarks' Go twins (bench/*/go) and test/observe's `go tool pprof`
# check of gort's CPU profile (skipped, with a message, where Go is missing).
have go || need="$need golang-go"
[ -z "$need" ] && exit 0
echo "install-deps: installing$need"
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null || true
$sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
