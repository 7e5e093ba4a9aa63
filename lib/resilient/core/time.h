/* gst-resilient: time as the decision classes see it.
 *
 * The classes in lib/resilient never read a clock. Callers pass "now" in, as
 * a monotonic count of nanoseconds (in the elements, a GstClockTime from the
 * pipeline clock). Durations use the same unit so arithmetic stays exact.
 */
#pragma once

#include <chrono>
#include <cstdint>
#include <climits>

namespace resilient {

using Duration = std::chrono::nanoseconds;
/* A point on the caller's monotonic timeline. */
using TimePoint = std::chrono::nanoseconds;

/* The largest millisecond count a Duration holds (about 292 years). */
constexpr std::int64_t kMaxMs = INT64_MAX / 1000000;

/* Milliseconds as a Duration, saturated at +-kMaxMs: a count read from a
 * file or the network (a state file, a header) can never overflow the
 * nanosecond representation (signed overflow is undefined behaviour). */
constexpr Duration
ms (std::int64_t v)
{
  return std::chrono::milliseconds (v > kMaxMs ? kMaxMs
                                    : v < -kMaxMs ? -kMaxMs
                                                  : v);
}

constexpr std::int64_t
to_ms (Duration d)
{
  return std::chrono::duration_cast<std::chrono::milliseconds> (d).count ();
}

/* Converts a GstClockTime-like unsigned nanosecond count. */
constexpr TimePoint
from_ns (std::uint64_t ns)
{
  return TimePoint (static_cast<std::int64_t> (ns));
}

constexpr std::uint64_t
to_ns (Duration d)
{
  return d.count () < 0 ? 0 : static_cast<std::uint64_t> (d.count ());
}

}  // namespace resilient
