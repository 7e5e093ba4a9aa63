/* gst-resilient: the health verdict on one running failoversrc candidate.
 *
 * The element counts, from pad probes, the decoded buffers a candidate
 * produces and the encoded bytes entering its decoders, and hands the
 * cumulative counters in with "now" on every health tick. The monitor turns
 * them into a verdict: still starting, healthy, or failed (silence longer
 * than the timeout, too long to start, or a bitrate under the floor for
 * several consecutive windows). Event failures (error, EOS, pad removed) do
 * not go through here: the element reports them at once.
 */
#pragma once

#include "resilient/core/time.h"
#include "resilient/failover/candidates.h"

#include <cstdint>
#include <optional>

namespace resilient::failover {

struct HealthConfig
{
  /* Silence after which a live candidate has failed. */
  Duration timeout = ms (2000);
  /* Silence allowed to adaptive (HLS/DASH/HTTP) candidates, whose data
   * arrives one segment at a time; the effective timeout is the larger. */
  Duration adaptive_timeout = ms (10000);
  /* Time a new candidate gets to produce its first decoded buffer. */
  Duration startup_timeout = ms (10000);
  /* Bitrate floor in kbit/s; 0 disables the check. */
  std::uint32_t min_bitrate_kbps = 0;
  /* One measurement window. Adaptive candidates use at least their
   * effective timeout so a pause between segments is not a low window. */
  Duration window = ms (1000);
  /* Consecutive low windows that make a failure. */
  std::uint32_t low_windows = 3;
};

enum class Verdict {
  Starting,
  Healthy,
  Failed,
};

struct HealthResult
{
  Verdict verdict = Verdict::Starting;
  FailureReason reason = FailureReason::Timeout; /* when Failed */
  TimePoint first_sign{};                        /* when Failed */
  /* Timeout: the silence reached the learned `silence_limit`, shorter
   * than the configured timeout. */
  bool learned_limit = false;
  Duration silence{}; /* Timeout: how long it was silent */
};

class HealthMonitor
{
public:
  HealthMonitor (HealthConfig config, InputKind kind, TimePoint started);

  /* Feeds the cumulative counters; `last_buffer` is when the newest decoded
   * buffer was seen (nullopt: none yet). `silence_limit`: a shorter
   * silence limit learned from the candidate's rhythm (StallDetector);
   * the effective timeout stays the ceiling. Returns the verdict at `now`.
   * Once failed, the verdict stays failed. */
  HealthResult update (TimePoint now, std::uint64_t total_bytes,
                       std::uint64_t total_buffers,
                       std::optional<TimePoint> last_buffer,
                       std::optional<Duration> silence_limit = std::nullopt);

  /* Changes the thresholds while running (properties mutable in PLAYING). */
  void set_config (const HealthConfig &config) { config_ = config; }

  Duration effective_timeout () const;
  Duration effective_window () const;

  /* Bitrate of the last complete window, kbit/s. */
  std::uint64_t bitrate_kbps () const { return bitrate_kbps_; }
  /* When the first decoded buffer arrived (nullopt: not yet). */
  std::optional<TimePoint> first_buffer () const { return first_buffer_; }
  std::optional<Duration> last_buffer_age (TimePoint now) const;

private:
  HealthConfig config_;
  InputKind kind_;
  TimePoint started_;
  std::optional<TimePoint> first_buffer_;
  std::optional<TimePoint> last_buffer_;
  TimePoint window_start_{};
  std::uint64_t window_bytes_ = 0;
  bool window_open_ = false;
  std::uint64_t bitrate_kbps_ = 0;
  std::uint32_t low_count_ = 0;
  TimePoint low_since_{};
  std::optional<HealthResult> failed_;
};

} // namespace resilient::failover
