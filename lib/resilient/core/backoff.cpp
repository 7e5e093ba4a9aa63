#include "resilient/core/backoff.h"

#include <algorithm>
#include <cmath>

namespace resilient {

Backoff::Backoff (BackoffPolicy policy, std::uint64_t seed)
    : policy_ (policy), rng_ (seed)
{
}

bool
Backoff::exhausted () const
{
  return policy_.max_attempts >= 0 && failures_ >= policy_.max_attempts;
}

std::optional<Duration>
Backoff::next_delay ()
{
  if (exhausted ())
    return std::nullopt;

  const int n = failures_++;
  Duration floor = std::exchange (floor_, Duration::zero ());

  double base;
  if (policy_.immediate_first) {
    if (n == 0)
      return floor;
    base = static_cast<double> (policy_.initial.count ())
        * std::pow (std::max (1.0, policy_.multiplier), n - 1);
  } else {
    base = static_cast<double> (policy_.initial.count ())
        * std::pow (std::max (1.0, policy_.multiplier), n);
  }
  base = std::min (base, static_cast<double> (policy_.max.count ()));

  double j = std::clamp (policy_.jitter, 0.0, 1.0);
  if (j > 0.0) {
    std::uniform_real_distribution<double> dist (1.0 - j, 1.0 + j);
    base *= dist (rng_);
  }
  base = std::min (base, static_cast<double> (policy_.max.count ()));

  Duration d (static_cast<Duration::rep> (base));
  return std::max (d, floor);
}

void
Backoff::reset ()
{
  failures_ = 0;
  floor_ = Duration::zero ();
}

}  // namespace resilient
