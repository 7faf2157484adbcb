#!/bin/sh
# deps.sh: installs the Debian packages `make realworld` needs (and only it:
# they are not part of tools/install-deps.sh, which `make test` uses): the
# toolchains (musl-tools, g++), tcl for Redis's runtest, python3 for the
# interleaved workload timings, dpkg-dev for `apt-get source`, xz/bzip2 to unpack.
need=
have() { command -v "$1" >/dev/null 2>&1; }
have musl-gcc || need="$need musl-tools musl-dev"
have tclsh || need="$need tcl"
have python3 || need="$need python3"

have dpkg-source || need="$need dpkg-dev"
have g++ || need="$need g++"
have xz || need="$need xz-utils"
have bzip2 || need="$need bzip2"
have make || need="$need make"
[ -z "$need" ] && exit 0
echo "realworld deps: installing$need"
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null || true
$sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
