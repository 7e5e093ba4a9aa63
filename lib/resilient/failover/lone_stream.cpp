#include "resilient/failover/lone_stream.h"

namespace resilient::failover {

bool
LoneStreamWatch::on_unit (TimePoint ts)
{
  if (declared_ || streams_ != 1)
    return false;
  if (!first_ || ts < *first_)
    first_ = ts; /* a timestamp reset starts the count again */
  if (ts - *first_ < after_)
    return false;
  declared_ = true;
  return true;
}

} // namespace resilient::failover
