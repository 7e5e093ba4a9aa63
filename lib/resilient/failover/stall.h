/* gst-resilient: adaptive stall detection for one failoversrc candidate.
 *
 * A fixed silence timeout has to be long enough for the slowest healthy
 * stream, so a fast stream that goes silent (a network black hole: no
 * error, no EOS, nothing) stays on air frozen for the whole timeout. This
 * class learns the candidate's own delivery rhythm from the arrival times of
 * its decoded buffers and judges silence against it, in the spirit of SRT's
 * link stability timeout (`2*SRTT + 4*RTTVar`, RFC 6298's estimator applied
 * to inter-arrival gaps):
 *
 * - Arrivals closer together than `burst_join` are one burst (audio and
 *   video of one moment, a decoded segment of HLS); the gap between bursts
 *   is the silence the candidate normally shows.
 * - `mean` and `var` follow the gaps (gains 1/8 and 1/4). `peak` is the
 *   longest recent gap, halving every `peak_half_life`, so a stream that
 *   shows 400 ms TCP retransmission holds, or a segment every 2 s, is
 *   judged against those.
 * - rhythm = 2*mean + 4*var, the longest gap the stream usually shows.
 * - limit = min (max (rhythm + tolerance, peak_factor*peak), ceiling).
 *   The tolerance (the floor above the rhythm) keeps a healthy stream
 *   through a TCP retransmission hold it has never shown before, which
 *   comes on top of an ordinary gap; the ceiling is the element's
 *   `timeout`. Until `min_samples` gaps are learned the limit is the
 *   ceiling.
 * - suspect_after = min (rhythm + tolerance/2, limit): a silence this long
 *   is the first sign of instability (the element prepares a backup); a
 *   silence of `limit` confirms the stall.
 *
 * Times are injected (TimePoint), nothing reads a clock.
 */
#pragma once

#include "resilient/core/time.h"

#include <cstdint>
#include <optional>

namespace resilient::failover {

struct StallConfig
{
  /* Silence tolerated on top of the usual rhythm (a TCP retransmission
   * hold the stream has not shown yet); zero turns the detector off (the
   * limit is then always the ceiling). */
  Duration tolerance = ms (420);
  /* Longest: the element's silence timeout. */
  Duration ceiling = ms (2000);
  /* Arrivals closer than this belong to one burst. */
  Duration burst_join = ms (5);
  /* Gaps learned before the adaptive limit applies. */
  std::uint32_t min_samples = 30;
  /* The limit is at least this many times the recent peak gap. */
  double peak_factor = 1.25;
  /* The recent peak gap halves in this time. */
  Duration peak_half_life = ms (20000);
};

enum class Silence {
  Learning, /* fewer than min_samples gaps (or off): only the ceiling */
  Normal,   /* within the rhythm */
  Suspect,  /* longer than suspect_after: first sign of instability */
  Stalled,  /* longer than the limit */
};

const char *silence_name (Silence s);

class StallDetector
{
public:
  explicit StallDetector (StallConfig config = {}) : config_ (config) {}

  /* Thresholds change while running; the learned rhythm is kept. */
  void set_config (const StallConfig &config) { config_ = config; }
  const StallConfig &config () const { return config_; }

  /* A buffer arrived at `t` (non-decreasing). */
  void on_arrival (TimePoint t);

  /* The silence that confirms a stall now. */
  Duration limit () const;
  /* The silence that is the first sign of one (<= limit ()). */
  Duration suspect_after () const;
  /* The verdict on the silence at `now` (Learning also before the first
   * arrival). */
  Silence judge (TimePoint now) const;
  /* When the current silence reaches the limit (nullopt: nothing yet). */
  std::optional<TimePoint> deadline () const;

  bool learned () const;
  std::optional<TimePoint> last () const { return last_; }
  Duration mean () const { return mean_; }
  Duration var () const { return var_; }
  /* The recent peak gap, decayed as of the last arrival. */
  Duration peak () const { return recent_peak_; }
  std::uint32_t samples () const { return samples_; }

private:
  Duration rhythm () const; /* 2*mean + 4*var */

  StallConfig config_;
  std::optional<TimePoint> last_;
  Duration mean_{};
  Duration var_{};
  Duration peak_{};
  TimePoint peak_at_{};
  Duration recent_peak_{};
  std::uint32_t samples_ = 0;
};

} // namespace resilient::failover
