/* gst-resilient: content health of one failoversrc candidate.
 *
 * A connection can stay up while what it carries is useless: a black
 * picture (a camera off, an encoder fed nothing), a frozen picture (a
 * repeated frame) or silent audio. The element samples cheaply: every Nth
 * decoded video frame is reduced to a small grid of luma values (a few
 * hundred bytes), every Nth audio buffer to its peak level; this class
 * judges the samples:
 *
 * - black: every luma value of the grid at or under `black_luma`
 *   (limited-range black is 16; a dark scene with anything lit in it is
 *   not black);
 * - frozen: the grid's mean absolute difference from the previous sampled
 *   grid under `frozen_diff` (a decoded repeated frame differs by exactly
 *   0; live pictures, sensor noise included, by more);
 * - silent: the peak level under `silence_db` dBFS.
 *
 * A condition that lasts its duration (`black`, `frozen`, `silence`; zero:
 * not judged) is a content fault, reported from when it began. `alive`
 * says whether the newest samples show live content (not black, not frozen,
 * not silent where judged): the element feeds only live content into the
 * failback proof, so a candidate returns to the output only once its
 * content is alive again. Times are injected.
 */
#pragma once

#include "resilient/core/failure.h"
#include "resilient/core/time.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace resilient::failover {

struct ContentConfig
{
  Duration black = ms (5000);
  Duration frozen = ms (10000);
  Duration silence = Duration::zero ();
  std::uint8_t black_luma = 32;
  double frozen_diff = 0.5;
  double silence_db = -60.0;
};

struct ContentFault
{
  Failure reason;  /* BlackVideo, FrozenVideo or SilentAudio */
  TimePoint since; /* when the condition began */
  Duration lasted; /* how long it had lasted when judged */
};

class ContentMonitor
{
public:
  explicit ContentMonitor (ContentConfig config = {}) : config_ (config) {}

  void set_config (const ContentConfig &config) { config_ = config; }
  const ContentConfig &config () const { return config_; }

  /* A sampled video frame at `t`: its luma grid (any fixed size). */
  void on_video (TimePoint t, const std::vector<std::uint8_t> &luma);
  /* A sampled audio buffer at `t`: its peak level in dBFS. */
  void on_audio (TimePoint t, double peak_db);

  /* The first condition that has lasted its duration at `now` (black
   * before frozen before silent), nullopt when none. */
  std::optional<ContentFault> judge (TimePoint now) const;
  /* Whether the newest samples show live content. */
  bool alive () const;

private:
  struct Condition
  {
    std::optional<TimePoint> since;
    void update (TimePoint t, bool on)
    {
      if (!on)
        since.reset ();
      else if (!since)
        since = t;
    }
  };
  std::optional<ContentFault> lasted (const Condition &c, Duration limit,
                                      Failure reason, TimePoint now) const;

  ContentConfig config_;
  std::vector<std::uint8_t> previous_;
  Condition black_, frozen_, silent_;
};

} // namespace resilient::failover
