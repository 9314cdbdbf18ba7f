#!/usr/bin/env bash
# Makes a runnable JDK 21 on a Debian 12 (bookworm) machine that has no JDK 21 package, to check that
# Swarmflow builds and passes its tests on JDK 21 (the oldest JDK it supports):
#
#   JAVA_HOME="$(scripts/jdk21-from-trixie.sh)" ./mvnw -B verify
#
# It downloads Debian 13 (trixie)'s openjdk-21 and glibc packages with apt-get (root not needed for the
# download, but apt's lists for trixie are fetched into DIR), unpacks them under DIR (default
# /tmp/jdk21-trixie) without installing anything, points the JDK's ELF executables at trixie's glibc
# (patchelf: interpreter and RPATH) and its /etc symlinks at the unpacked copies, then prints the JDK's
# home. Needs apt-get, dpkg-deb and patchelf (apt-get install patchelf). A development aid, not part of
# the product: the JDK it makes is Debian's build of OpenJDK 21 running on trixie's C library.
set -euo pipefail
dir="${1:-/tmp/jdk21-trixie}"
home="$dir/root/usr/lib/jvm/java-21-openjdk-amd64"
if [ -x "$home/bin/java" ] && "$home/bin/java" -version >/dev/null 2>&1; then
  echo "$home"
  exit 0
fi
command -v patchelf >/dev/null || { echo "jdk21-from-trixie: patchelf is missing (apt-get install patchelf)" >&2; exit 2; }
mkdir -p "$dir/lists/partial" "$dir/debs" "$dir/root" "$dir/libc"
echo "deb http://deb.debian.org/debian trixie main" >"$dir/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=-" -o "Dir::State::Lists=$dir/lists")
apt-get -qq "${apt_opts[@]}" update >&2
( cd "$dir/debs" && apt-get -qq "${apt_opts[@]}" download openjdk-21-jdk-headless openjdk-21-jre-headless libc6 >&2 )
for deb in "$dir"/debs/openjdk-21-*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
dpkg-deb -x "$dir"/debs/libc6_*.deb "$dir/libc"
libc="$dir/libc/usr/lib/x86_64-linux-gnu"
for f in "$home"/bin/* "$home"/lib/jspawnhelper "$home"/lib/jexec; do
  [ -f "$f" ] && head -c 4 "$f" | grep -q ELF || continue
  patchelf --set-interpreter "$libc/ld-linux-x86-64.so.2" --force-rpath \
    --set-rpath "$libc:\$ORIGIN/../lib:\$ORIGIN/../lib/server:\$ORIGIN" "$f"
done
# Debian keeps the JDK's configuration in /etc/java-21-openjdk and links to it: link to the unpacked copy
( cd "$home" && find conf lib -type l | while read -r link; do
    target="$(readlink "$link")"
    case "$target" in /etc/*) ln -sfn "$dir/root$target" "$link" ;; esac
  done )
"$home/bin/java" -version >&2
echo "$home"
