#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with Debian's clang-14
# (-fsanitize=fuzzer,address,undefined) into build-fuzz/ (or $1). The
# parsers live in lib/resilient, which is plain C++ with no dependency, so
# this compiles those sources directly instead of configuring a second meson
# tree with clang. ccache is used when installed. Prints the target paths.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build-fuzz}
CXX=${FUZZ_CXX:-clang++-14}
command -v "$CXX" >/dev/null || { echo "fuzz: $CXX not found (apt-get install clang-14 libfuzzer-14-dev)" >&2; exit 1; }
cc=()
command -v ccache >/dev/null && cc=(ccache)
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -Ilib -Itests/fuzz
       -fsanitize=address,undefined -fno-sanitize-recover=undefined)
mkdir -p "$out/obj"
jobs=${FUZZ_JOBS:-2}
# lib/ objects, instrumented for coverage but without libFuzzer's main.
export out CXX
printf '%s\n' lib/resilient/*/*.cpp | xargs -P "$jobs" -I{} sh -c '
  o="$out/obj/$(echo {} | tr / _).o"
  if [ ! -f "$o" ] || [ {} -nt "$o" ] || [ -n "$(find lib -name "*.h" -newer "$o" | head -1)" ]; then
    '"${cc[*]:-} $CXX ${flags[*]}"' -fsanitize=fuzzer-no-link -c {} -o "$o" || exit 255
  fi'
for src in tests/fuzz/fuzz_*.cpp; do
  name=$(basename "$src" .cpp)
  bin="$out/$name"
  if [ ! -f "$bin" ] || [ -n "$(find "$src" tests/fuzz/fuzz_input.h "$out/obj" -newer "$bin" | head -1)" ]; then
    # libcrypto: lib/resilient/server/srtp.cpp (the direct send path's SRTP)
    "${cc[@]}" "$CXX" "${flags[@]}" -fsanitize=fuzzer "$src" "$out"/obj/*.o -lcrypto -o "$bin"
  fi
  echo "$bin"
done
