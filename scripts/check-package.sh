#!/usr/bin/env bash
# Builds the Debian package gstreamer1.0-resilient from a clean copy of this
# tree (dpkg-buildpackage -b -us -uc, Debian build-dependencies only),
# unpacks it with dpkg-deb -x into an empty directory and checks, through
# the unpacked plugin directory alone (GST_PLUGIN_SYSTEM_PATH, no
# GST_PLUGIN_PATH), that gst-inspect-1.0 finds every element and the
# tracer, that the plugin sits in GStreamer's own plugin directory
# (pkg-config pluginsdir) and that the docs are under
# /usr/share/doc/gstreamer1.0-resilient.
#
# Usage: scripts/check-package.sh [--keep]   (--keep leaves the work dir)
#        scripts/check-package.sh --deb FILE  (checks a package built before)
# Last line: "N passed, N failed". Nothing is installed on the system.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
keep=0
prebuilt=""
[ "${1:-}" = "--keep" ] && keep=1
[ "${1:-}" = "--deb" ] && prebuilt=$(readlink -f "${2:?--deb needs a file}")
passed=0
failed=0
ok () { echo "ok: $*"; passed=$((passed + 1)); }
bad () { echo "FAILED: $*"; failed=$((failed + 1)); }
finish () {
  [ "$keep" = 1 ] && echo "work dir: $work" || rm -rf "$work"
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
  exit $?
}

work=$(mktemp -d /tmp/gst-resilient-package.XXXXXX)
src="$work/gst-resilient-0.1.0"
mkdir -p "$src"
# The committed tree plus uncommitted changes of tracked files (what a
# developer is about to commit), never build directories.
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$root" ls-files -z --cached --others --exclude-standard \
    | grep -zv -e '^build' -e '^obj-' -e '^demo-output/' \
    | (cd "$root" && xargs -0 cp --parents -t "$src" 2>/dev/null)
else
  tar -C "$root" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$src" -xf -
fi

if [ -n "$prebuilt" ]; then
  cp "$prebuilt" "$work/"
else
  start=$(date +%s)
  echo "== dpkg-buildpackage -b -us -uc (in $src; a full build, several minutes)"
  if (cd "$src" && dpkg-checkbuilddeps) >"$work/checkbuilddeps.log" 2>&1; then
    ok "dpkg-checkbuilddeps: the Debian build-dependencies are installed"
  else
    bad "dpkg-checkbuilddeps: $(cat "$work/checkbuilddeps.log")"
    finish
  fi
  if (cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1; then
    ok "dpkg-buildpackage -b -us -uc ($(( $(date +%s) - start )) s)"
  else
    tail -40 "$work/build.log"
    bad "dpkg-buildpackage failed (log above)"
    finish
  fi
fi
deb=$(ls "$work"/gstreamer1.0-resilient_*.deb 2>/dev/null | head -1)
if [ -n "$deb" ]; then
  ok "binary package $(basename "$deb")"
else
  bad "no gstreamer1.0-resilient_*.deb in $work"
  finish
fi

unpacked="$work/root"
mkdir -p "$unpacked"
dpkg-deb -x "$deb" "$unpacked"
pluginsdir=$(pkg-config --variable=pluginsdir gstreamer-1.0)
if [ -f "$unpacked$pluginsdir/libgstresilient.so" ]; then
  ok "plugin at GStreamer's plugin directory $pluginsdir (found without GST_PLUGIN_PATH once installed)"
else
  bad "libgstresilient.so not under $pluginsdir: $(cd "$unpacked" && find . -name '*.so')"
fi
docdir="$unpacked/usr/share/doc/gstreamer1.0-resilient"
for f in README.md elements/failoversrc.md elements/autorestoresink.md metrics.md recipes.md copyright; do
  if [ -f "$docdir/$f" ]; then ok "doc $f"; else bad "doc $f missing in /usr/share/doc/gstreamer1.0-resilient"; fi
done
deps=$(dpkg-deb -f "$deb" Depends)
case "$deps" in
  *libgstreamer1.0-0*) ok "Depends from shlibs: $deps" ;;
  *) bad "Depends lacks libgstreamer1.0-0: $deps" ;;
esac

# The system plugin path is the unpacked plugin directory alone; a registry
# of its own so nothing cached elsewhere answers.
export GST_PLUGIN_SYSTEM_PATH_1_0="$unpacked$pluginsdir:$pluginsdir"
export GST_REGISTRY_1_0="$work/registry.bin"
unset GST_PLUGIN_PATH GST_PLUGIN_PATH_1_0
for el in failoversrc autorestoresink reswhipsink reswhepsrc clusterresolver \
    reswhepserversink reswhipserversrc; do
  if out=$(gst-inspect-1.0 "$el" 2>&1) && grep -q "$unpacked$pluginsdir/libgstresilient.so" <<<"$out"; then
    ok "gst-inspect-1.0 $el (from the package)"
  else
    bad "gst-inspect-1.0 $el: $(head -3 <<<"$out")"
  fi
done
out=$(gst-inspect-1.0 resilient 2>&1)
if grep -q "resilientmetrics" <<<"$out"; then
  ok "tracer resilientmetrics registered"
else
  bad "tracer resilientmetrics not in gst-inspect-1.0 resilient"
fi
finish
