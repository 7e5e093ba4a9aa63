/* gst-resilient fuzzing: splitting one libFuzzer input into the several
 * strings a parser takes (base URL and reference, offer and answer, header
 * values). Parts are separated by a NUL byte, which no text protocol
 * carries, so the seeds stay readable. */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace resilient::fuzz {

inline std::vector<std::string>
split_input (const std::uint8_t *data, std::size_t size, std::size_t max_parts)
{
  std::vector<std::string> parts (1);
  for (std::size_t i = 0; i < size; i++) {
    if (data[i] == 0 && parts.size () < max_parts)
      parts.emplace_back ();
    else
      parts.back ().push_back (static_cast<char> (data[i]));
  }
  return parts;
}

/* A fuzzer-found problem that is not a crash (a broken round trip): abort so
 * libFuzzer saves the input. */
[[noreturn]] inline void
fuzz_fail (const char *what)
{
  __builtin_fprintf (stderr, "fuzz property violated: %s\n", what);
  __builtin_abort ();
}

} // namespace resilient::fuzz
