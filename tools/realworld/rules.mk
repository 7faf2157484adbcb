# tools/realworld/rules.mk: `make realworld` -- the real-program matrix
# (tools/realworld/run.sh): Debian's sources of zlib, Lua, xz, SQLite, Redis
# and a C++ program built with gortcc and with the libc's crt1, their own
# suites and a workload timed on both. Not part of `make test`: it
# downloads and builds. REALWORLD=... picks programs (default: all).
.PHONY: realworld
realworld: all
	tools/realworld/deps.sh
	tools/realworld/run.sh $(REALWORLD)
