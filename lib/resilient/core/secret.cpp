#include "resilient/core/secret.h"

namespace resilient {

bool
constant_time_equal (std::string_view want, std::string_view got)
{
  unsigned diff = want.size () != got.size ();
  for (size_t i = 0; i < want.size (); i++)
    diff |= static_cast<unsigned char> (want[i])
            ^ static_cast<unsigned char> (i < got.size () ? got[i] : 0);
  return diff == 0;
}

} // namespace resilient
