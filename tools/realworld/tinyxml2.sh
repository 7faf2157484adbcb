# tinyxml2 recipe (sourced by run.sh): the C++ program of the matrix.
# Debian's tinyxml2 9.0.0, built by its own Makefile (`make xmltest`, the
# library and the test program) with CXX=gortc++ (glibc: Debian's musl has
# no C++ library) against g++ with glibc's crt1. Tests: its own xmltest
# (463 checks: parsing, printing, entities, UTF-8, errors, the fuzzers'
# regression files), "Pass N, Fail M". Workload: a whole xmltest run,
# whose longest part parses resources/dream.xml (a play) in a loop.
PKG=tinyxml2
LIBCS=glibc
build() {
	make -j$J CXX="$CXX" CXXFLAGS="-O2 -fPIC" xmltest
}
tests() {
	./xmltest >xmltest.out 2>&1 || true
	cat xmltest.out
	pass=$(sed -n 's/^Pass \([0-9]*\), Fail \([0-9]*\)$/\1/p' xmltest.out)
	fail=$(sed -n 's/^Pass \([0-9]*\), Fail \([0-9]*\)$/\2/p' xmltest.out)
	echo "RESULT ${pass:-0} $(( ${pass:-0} + ${fail:-1} ))"
}
workload() {
	echo "./xmltest >/dev/null"
}
