#include "resilient/failover/lone_stream.h"

namespace resilient::failover {

bool
LoneStreamWatch::on_unit ()
{
  if (!open () || !known_ || streams_ != 1)
    return false;
  declared_ = true;
  return true;
}

bool
LoneStreamWatch::open () const
{
  if (declared_ || streams_ > 1)
    return false;
  /* Metadata that names both streams (or neither) leaves it to the
   * demuxer. */
  return !known_ || named_.video != named_.audio;
}

} // namespace resilient::failover
