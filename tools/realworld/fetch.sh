#!/bin/sh
# fetch.sh PKG[=VERSION] DEST: gets Debian 12 (bookworm) source package PKG
# with `apt-get source --download-only` through a private deb-src list and
# state dir under $RW (the system's apt configuration is not touched), and
# unpacks it into DEST (once: an existing DEST is kept). The mirror is the
# one /etc/apt/sources.list.d/debian.sources names (deb.debian.org else).
set -e
pkg=$1 dest=$2
[ -d "$dest" ] && exit 0
RW=${RW:?}
apt=$RW/apt
mkdir -p "$apt/lists/partial" "$apt/dl"
mirror=$(sed -n 's/^URIs: *\(.*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
if [ ! -f "$apt/sources.list" ]; then
	cat >"$apt/sources.list" <<EOT
deb-src $mirror bookworm main
deb-src $mirror bookworm-updates main
deb-src ${mirror}-security bookworm-security main
EOT
fi
opts="-o APT::Sandbox::User=root -o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$apt/lists"
[ -f "$apt/.updated" ] || { apt-get $opts update -qq && touch "$apt/.updated"; }
cd "$apt/dl"
apt-get $opts source --download-only -qq "$pkg" || {
	# The security mirror can list a version whose files it lacks: ask for
	# the release's own version.
	v=$(apt-cache $opts showsrc "${pkg%%=*}" | sed -n 's/^Version: //p' | grep -v '+deb' | head -1)
	apt-get $opts source --download-only -qq "${pkg%%=*}=$v"
}
dsc=$(ls -t ./*.dsc | head -1)
for d in ./*.dsc; do case $d in ./"${pkg%%=*}"_*) dsc=$d ;; esac; done
# dpkg-source leaves the orig tarballs beside its target: unpack in a
# scratch dir.
tmp=$apt/x; rm -rf "$tmp"; mkdir -p "$tmp"
dpkg-source --no-check -x "$dsc" "$tmp/src" >/dev/null
mv "$tmp/src" "$dest"; rm -rf "$tmp"
