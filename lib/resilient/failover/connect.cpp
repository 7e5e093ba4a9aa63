#include "resilient/failover/connect.h"

namespace resilient::failover {

std::optional<TimePoint>
ConnectCheck::update (TimePoint now, bool data)
{
  if (failed_)
    return started_;
  if (connected_ || data) {
    connected_ = true;
    return std::nullopt;
  }
  if (limit_ > Duration::zero () && now - started_ >= limit_) {
    failed_ = true;
    return started_;
  }
  return std::nullopt;
}

} // namespace resilient::failover
