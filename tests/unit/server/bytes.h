/* Unit tests of the server side: bytes written as hex in the tests. */
#pragma once

#include <cstdint>
#include <string>
#include <vector>

inline std::vector<std::uint8_t>
hex (const std::string &s)
{
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < s.size (); i += 2)
    out.push_back (std::uint8_t (std::stoi (s.substr (i, 2), nullptr, 16)));
  return out;
}
