# Sourced by ./swarm and .ci/run: sets JAVA_HOME to a JDK 21 or newer.
# Order: $JAVA_HOME, then the JDK of the highest version under $SWARM_JDK_DIRS (colon-separated directories of
# JDKs; default /usr/lib/jvm), then the javac on PATH; the first of version 21 or newer wins.

# JVM flags of the swarm command, and of the benchmarks, which measure what it runs.
# SWARM_JAVA_OPTS is appended after them, so it can override any of them (for example
# -XX:TieredStopAtLevel=1, C1 only: less compiler CPU in short runs, lower peak throughput;
# docs/benchmarks.md, "JIT").
# shellcheck disable=SC2034 # used by the scripts that source this file
SWARM_JVM_FLAGS=(--enable-native-access=ALL-UNNAMED)

# The JVM takes the encoding of file names, of its arguments, of its output and of what it hands a child process from
# LC_CTYPE. In the C or POSIX locale (a container, cron, `su -`, ssh to a host without locales) that is ASCII: a spec
# under /tmp/grüße could not even be named, a --var value "José" would be read as "Jos??", and every character other than
# ASCII of a ticket's script, env and vars would reach bash as "?" ("rm données.txt" runs as "rm donn?es.txt", a glob),
# so swarm refuses such a plan there (docs/sandbox.md, "Environment"). There, the JVM runs in C.UTF-8, where the C
# library has it. The tickets' own locale (LANG=C.UTF-8, set by Swarmflow) and git's (LC_ALL=C) do not help: what they
# are handed has passed through the JVM's encoding already. No JVM flag does it instead: -Dsun.jnu.encoding=UTF-8 is
# ignored (JDK 17 and 25, checked; -Dfile.encoding=UTF-8 changed what JDK 17 hands a child, not JDK 25).
# The encoding is asked of `locale charmap`; without the `locale` program (a minimal image), of bash itself: in a UTF-8
# locale it counts the two bytes of "ü" as one character. Then an unset, C or POSIX locale, or a UTF-8 one the C library
# does not have (it falls back to C), is switched; another locale's own encoding (ISO-8859-1) is left as it is. Whether
# C.UTF-8 exists is asked of bash too: set in a subshell, where the C library has it "ü" counts as one character (glibc
# 2.35 and later have it built in; `locale -a` is not needed).
swarm_jvm_locale() {
  local u=$'\xc3\xbc'
  if command -v locale >/dev/null 2>&1; then
    [ "$(locale charmap 2>/dev/null)" = "ANSI_X3.4-1968" ] || return 0
  else
    [ "${#u}" -ne 1 ] || return 0
    case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
      "" | C | POSIX | *[Uu][Tt][Ff]8* | *[Uu][Tt][Ff]-8*) ;;
      *) return 0 ;;
    esac
  fi
  # bash's warning that it cannot set a locale goes to the subshell's stderr, discarded
  if (LC_ALL=C.UTF-8 && u=$'\xc3\xbc' && [ "${#u}" -eq 1 ]) 2>/dev/null; then export LC_ALL=C.UTF-8; fi
  return 0
}

# Maven (the first-use build) needs HOME for ~/.m2; a service or `env -i` may start swarm without it. Takes the home
# directory the password database gives this user, or says what to set.
swarm_home() {
  [ -n "${HOME:-}" ] && return 0
  HOME="$(getent passwd "$(id -u)" 2>/dev/null | cut -d: -f6)"
  if [ -z "$HOME" ] || [ ! -d "$HOME" ]; then
    echo "swarm: HOME is not set, and uid $(id -u) has no home directory in the password database; set HOME to a writable directory" >&2
    return 1
  fi
  export HOME
}

swarm_java_major() { # prints the feature version of the JDK at $1 (8 for a "1.8"), or nothing
  local home="$1" v
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' "$home/release")
  fi
  if [ -z "${v:-}" ]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \(1\.\)\{0,1\}\([0-9]*\).*/\2/p')
  fi
  printf '%s' "${v:-}"
}

swarm_find_jdk() {
  local c v found=()
  SWARM_JDK_PASSED_OVER=""
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(swarm_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then export JAVA_HOME; return 0; fi
    [ -n "$v" ] && found+=("$JAVA_HOME ($v)")
    # for ./swarm's build message: the JAVA_HOME passed over, and why
    SWARM_JDK_PASSED_OVER="JAVA_HOME=$JAVA_HOME is ${v:+JDK $v, }not a JDK 21 or newer"
  fi
  # the JDK of the highest version under the directories (the first listed of equals)
  local dir dirs best="" bestv=0
  IFS=: read -r -a dirs <<<"${SWARM_JDK_DIRS:-/usr/lib/jvm}"
  for dir in "${dirs[@]}"; do
    [ -n "$dir" ] || continue
    while IFS= read -r c; do
      c="${c%/}"
      [ "$c" = "${JAVA_HOME:-}" ] && continue
      v=$(swarm_java_major "$c")
      [ -n "$v" ] || continue
      if [ "$v" -ge 21 ] && [ "$v" -gt "$bestv" ]; then best="$c"; bestv="$v"; fi
      [ "$v" -lt 21 ] && found+=("$c ($v)")
    done < <(ls -d "$dir"/*/ 2>/dev/null | sort -V)
  done
  if [ -n "$best" ]; then export JAVA_HOME="$best"; return 0; fi
  if command -v javac >/dev/null 2>&1; then
    c="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
    v=$(swarm_java_major "$c")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then export JAVA_HOME="$c"; return 0; fi
    [ -n "$v" ] && found+=("$c ($v)")
  fi
  echo "swarm: no JDK 21 or newer found (looked at \$JAVA_HOME${JAVA_HOME:+ = $JAVA_HOME}, ${SWARM_JDK_DIRS:-/usr/lib/jvm}/* and the javac on PATH)." >&2
  if [ ${#found[@]} -gt 0 ]; then
    echo "swarm: too old: ${found[*]}" >&2
  fi
  echo "swarm: install one (e.g. 'apt-get install openjdk-21-jdk-headless' on Debian/Ubuntu, or Temurin 21+) and point JAVA_HOME at it, or SWARM_JDK_DIRS at the directory that holds it." >&2
  return 1
}
