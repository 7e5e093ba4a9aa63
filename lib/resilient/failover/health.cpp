#include "resilient/failover/health.h"

#include <algorithm>

namespace resilient::failover {

HealthMonitor::HealthMonitor (HealthConfig config, InputKind kind,
                              TimePoint started)
    : config_ (config), kind_ (kind), started_ (started)
{
}

Duration
HealthMonitor::effective_timeout () const
{
  if (kind_ == InputKind::Adaptive)
    return std::max (config_.timeout, config_.adaptive_timeout);
  return config_.timeout;
}

Duration
HealthMonitor::effective_window () const
{
  Duration w = std::max (config_.window, ms (1));
  if (kind_ == InputKind::Adaptive)
    return std::max (w, effective_timeout ());
  return w;
}

std::optional<Duration>
HealthMonitor::last_buffer_age (TimePoint now) const
{
  if (!last_buffer_)
    return std::nullopt;
  return std::max (Duration::zero (), now - *last_buffer_);
}

HealthResult
HealthMonitor::update (TimePoint now, std::uint64_t total_bytes,
                       std::uint64_t total_buffers,
                       std::optional<TimePoint> last_buffer,
                       std::optional<Duration> silence_limit)
{
  if (failed_)
    return *failed_;

  if (last_buffer && total_buffers > 0) {
    if (!first_buffer_)
      first_buffer_ = *last_buffer;
    last_buffer_ = *last_buffer;
  }

  if (!first_buffer_) {
    if (now - started_ >= config_.startup_timeout) {
      failed_
          = HealthResult{ Verdict::Failed, FailureReason::Timeout, started_ };
      return *failed_;
    }
    return HealthResult{ Verdict::Starting, FailureReason::Timeout, {} };
  }

  Duration limit = effective_timeout ();
  bool learned = silence_limit && *silence_limit < limit;
  if (learned)
    limit = *silence_limit;
  if (now - *last_buffer_ >= limit) {
    failed_ = HealthResult{ Verdict::Failed, FailureReason::Timeout,
                            *last_buffer_, learned, now - *last_buffer_ };
    return *failed_;
  }

  /* Bitrate windows start with the first buffer. */
  if (!window_open_) {
    window_open_ = true;
    window_start_ = now;
    window_bytes_ = total_bytes;
  } else {
    Duration w = effective_window ();
    if (now - window_start_ >= w) {
      Duration elapsed = now - window_start_;
      std::uint64_t bytes = total_bytes - window_bytes_;
      auto elapsed_ms = std::max<std::int64_t> (1, to_ms (elapsed));
      bitrate_kbps_ = bytes * 8 / static_cast<std::uint64_t> (elapsed_ms);
      if (config_.min_bitrate_kbps > 0
          && bitrate_kbps_ < config_.min_bitrate_kbps) {
        if (low_count_ == 0)
          low_since_ = window_start_;
        low_count_++;
      } else {
        low_count_ = 0;
      }
      window_start_ = now;
      window_bytes_ = total_bytes;
      if (config_.min_bitrate_kbps > 0 && config_.low_windows > 0
          && low_count_ >= config_.low_windows) {
        failed_ = HealthResult{ Verdict::Failed, FailureReason::LowBitrate,
                                low_since_ };
        return *failed_;
      }
    }
  }
  return HealthResult{ Verdict::Healthy, FailureReason::Timeout, {} };
}

} // namespace resilient::failover
