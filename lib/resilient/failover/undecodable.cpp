#include "resilient/failover/undecodable.h"

namespace resilient::failover {

std::optional<TimePoint>
UndecodableCheck::update (TimePoint now, std::uint64_t source_bytes,
                          std::uint64_t parsed_buffers,
                          std::uint64_t decoded_buffers)
{
  if (proven_)
    return proven_;
  if (made_sense_ || parsed_buffers > 0 || decoded_buffers > 0) {
    made_sense_ = true;
    return std::nullopt;
  }
  if (source_bytes >= budget_)
    proven_ = now;
  return proven_;
}

} // namespace resilient::failover
