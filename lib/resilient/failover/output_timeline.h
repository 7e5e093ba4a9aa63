/* gst-resilient: failoversrc's timing decisions, without GStreamer.
 *
 * failoversrc puts the samples of whichever candidate is active, and filler
 * when none is, on one continuous output timeline (the element's running
 * time). Two classes hold the decisions; the element feeds them the times it
 * reads from its clock and buffers and acts on the answers:
 *
 * - CandidateTimeline (one per candidate run): maps a candidate's running
 *   time onto the output's. A live candidate follows its live edge (the
 *   smallest arrival lateness) while it is not on the output and for its
 *   first LIVE_SETTLE on it, so its start-up burst is skipped as stale; then
 *   the offset is frozen. Any candidate is re-anchored when it falls behind
 *   by more than the starving threshold, and takes over from filler right
 *   where the filler ended.
 * - OutputTimeline (one per output stream): where the output has got to and
 *   from which source (run id, 0 = filler). It clamps overlaps (video) or
 *   clips them (audio), says when a buffer is a discontinuity, measures the
 *   gap a switch left, and decides when filler is due, at which time and
 *   which picture (held last frame, image or black).
 *
 * Times are running times in nanoseconds (TimePoint); "none" is nullopt.
 * Not thread-safe: the element guards each instance with its own lock.
 */
#pragma once

#include "resilient/core/time.h"

#include <cstdint>
#include <optional>

namespace resilient::failover {

/* How long after its first sample an active live candidate keeps following
 * its live edge (skipping the start-up burst) before its offset is frozen. */
inline constexpr Duration kLiveSettle = std::chrono::milliseconds (1500);

/* The starving threshold for a given latency: how long a stream of the
 * active candidate may lack data before filler covers it, and how late a
 * candidate may run before it is re-anchored (half the latency, >= 50 ms). */
Duration starve_threshold (Duration latency);

/* Source id of filler on the output (candidate runs have ids from 1). */
inline constexpr std::uint64_t kFillerSource = 0;
/* Source id before anything was pushed. */
inline constexpr std::uint64_t kNoSource = UINT64_MAX;

class CandidateTimeline
{
public:
  struct Sample
  {
    int stream = 0;         /* 0 video, 1 audio */
    TimePoint running_time; /* the buffer's, in the candidate's segment */
    TimePoint now;          /* the element's running time at arrival */
    bool live = true;       /* a live input (not a file) */
    bool active = false;    /* the candidate is on the output */
    /* Where filler covering this stream has got to, when it covers it. */
    std::optional<TimePoint> filler_end;
    Duration late_limit{}; /* starve_threshold () */
  };
  struct Mapping
  {
    bool stale = false;      /* start-up burst older than the live edge */
    bool reanchored = false; /* fell behind: anchored anew on this sample */
    std::int64_t out_ns = 0; /* output running time (may be negative) */
  };

  /* Maps one sample; updates the offset (shared by the run's streams). */
  Mapping map (const Sample &s);

  /* Forget the anchor (back from PAUSED: the base time moved). */
  void reset ();

  /* A warm standby woken (failoversrc standby=warm): its samples stopped
   * while it was off the output and resume with what its branch held from
   * before and the decode of its kept GOP. The live edge is learned anew
   * from the samples that follow, as after a start (kLiveSettle of
   * tracking). */
  void resettle ();
  /* Samples of `stream` with a running time before `rt` are stale and
   * teach the live edge nothing (the woken run's gate knows where its kept
   * GOP ends: anything older is what the branch held). Until resettle or
   * reset. */
  void skip_before (int stream, TimePoint rt);

  /* mode=encoded, a cut from a kept GOP: the cut placed the kept units
   * (and shifted the run by its delay) with the offset as it is now, so
   * while on the output the offset stays frozen from now on, even within
   * the first kLiveSettle (following the live edge there would map the
   * units after the kept ones back by up to the delay: video crowded 1 ms
   * apart, audio dropped). Off the output it follows the edge again; a
   * resettle or reset clears it. */
  void end_settle () { settled_ = true; }

  /* A sample due within half the starving threshold goes out at once; a
   * later one is waited for on the clock until out_ns. */
  static bool must_wait (std::int64_t out_ns, TimePoint now,
                         Duration late_limit);

private:
  bool offset_set_ = false;
  std::int64_t offset_ = 0;
  bool late_set_[2] = { false, false };
  std::int64_t min_late_[2] = { 0, 0 };
  std::int64_t min_late_at_[2] = { 0, 0 };
  std::optional<TimePoint> first_sample_at_;
  std::optional<TimePoint> skip_before_[2];
  bool settled_ = false;
};

class OutputTimeline
{
public:
  /* How a buffer meets what already went out. */
  struct Placement
  {
    bool drop = false;
    TimePoint pts{};
    Duration duration{};
    std::uint64_t trim_samples = 0; /* audio: samples cut from the front */
  };

  /* Video frame of `duration` at `pts`: behind the output end by half a
   * frame or more it is dropped, else clamped to the end. */
  Placement place_video (TimePoint pts, Duration duration) const;
  /* Audio of `samples` at `rate` Hz at `pts`: the part behind the output end
   * is clipped (dropped when nothing is left). */
  Placement place_audio (TimePoint pts, std::uint64_t samples, int rate) const;

  /* A buffer from `source` starts a discontinuity (new source). */
  bool discont (std::uint64_t source) const { return source != last_source_; }

  /* The gap a switch left, measured at the first buffer of its new source at
   * `pts`: from the last buffer of the candidate left (a starving stretch
   * covered by filler counts as gap) when `from_candidate`, else from the
   * end of the filler; 0 when nothing went out before. */
  Duration switch_gap (TimePoint pts, bool from_candidate) const;

  /* Records a pushed buffer. */
  void commit (TimePoint pts, Duration duration, std::uint64_t source,
               bool video);

  /* Where filler covering the stream has got to, nullopt when a candidate
   * (or nothing) is on it. */
  std::optional<TimePoint> filler_end () const;

  /* When a stream fed by a candidate starts starving (end + threshold);
   * nullopt when it is on filler or nothing went out yet (filler then runs
   * at the frame rate). */
  std::optional<TimePoint> starving_at (Duration threshold) const;

  struct FillerInput
  {
    TimePoint now;
    bool on_filler = false; /* no candidate is active */
    Duration threshold{};   /* starve_threshold, 0 on filler */
    Duration frame{};       /* video frame duration, 0 for audio */
    Duration latency{};
  };
  /* When filler is due, the running time it goes out at; nullopt when the
   * stream is fed (on filler: up to now; with a candidate active: it starves
   * for `threshold`, and once covered it is kept filled until the candidate
   * pushes again, never ahead of now minus a frame). */
  std::optional<TimePoint> filler_due (const FillerInput &in) const;

  /* Samples of audio filler from `pts`: up to now when a candidate is
   * active and the stream had output, else up to now + `lead` (filler runs
   * ahead by half a health period); 0 when nothing is to be filled. */
  std::uint64_t silence_samples (TimePoint pts, TimePoint now, bool on_filler,
                                 Duration lead, int rate) const;

  enum class Picture { LastFrame, Image, Black };
  /* Which picture video filler at `pts` shows: the last candidate frame is
   * held for `hold`, and also while the active candidate that sent it is
   * starving (still healthy until its timeout) or right after a switch; then
   * the image, else black. */
  Picture picture (TimePoint pts, bool have_last_frame, bool have_image,
                   Duration hold, std::uint64_t active,
                   bool just_switched) const;

  void reset () { *this = OutputTimeline{}; }

  std::optional<TimePoint> last_end () const { return last_end_; }
  std::uint64_t last_source () const { return last_source_; }

private:
  std::optional<TimePoint> last_end_;
  std::optional<TimePoint> last_real_end_; /* of a candidate */
  std::uint64_t last_source_ = kNoSource;
  std::optional<TimePoint> last_frame_time_; /* last candidate video frame */
  std::uint64_t last_frame_source_ = 0;
};

} // namespace resilient::failover
