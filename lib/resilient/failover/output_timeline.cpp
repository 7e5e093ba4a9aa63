#include "resilient/failover/output_timeline.h"

#include <algorithm>

namespace resilient::failover {

namespace {

constexpr std::int64_t kSecondNs = 1000000000;

/* samples * 1e9 / rate, rounded down (gst_util_uint64_scale_int). */
std::int64_t
samples_to_ns (std::uint64_t samples, int rate)
{
  return (std::int64_t) ((unsigned __int128)samples * kSecondNs / rate);
}

std::uint64_t
ns_to_samples (std::int64_t ns, int rate)
{
  return (std::uint64_t) ((unsigned __int128)ns * rate / kSecondNs);
}

} // namespace

Duration
starve_threshold (Duration latency)
{
  return std::max<Duration> (latency / 2, std::chrono::milliseconds (50));
}

/* ---- CandidateTimeline ----------------------------------------------------
 */

CandidateTimeline::Mapping
CandidateTimeline::map (const Sample &s)
{
  Mapping m;
  const std::int64_t now = s.now.count ();
  const std::int64_t brt = s.running_time.count ();
  const std::int64_t limit = s.late_limit.count ();
  const std::int64_t lateness = now - brt;
  const auto &skip = skip_before_[s.stream == 0 ? 0 : 1];
  if (skip && s.running_time < *skip) {
    m.stale = true;
    m.out_ns = brt + offset_;
    return m;
  }
  if (!first_sample_at_)
    first_sample_at_ = s.now;
  bool tracking = false;
  if (s.live) {
    /* A live connection starts with a burst (RTMP servers send the GOP from
     * the last keyframe, jitterbuffers release what they hold): anchored on
     * its first sample, the output would stay one burst behind the input for
     * good. The live edge is the smallest arrival lateness per stream; the
     * slowest stream's edge is used, so both streams' newest data fit. The
     * edge may also rise, by at most 1 ms per second since it was last set
     * (1000 ppm: more than any sender's clock drift, far less than network
     * jitter), so a standby connected for hours follows a sender whose
     * clock runs slower than ours. */
    const int st = s.stream;
    const std::int64_t rise
        = (std::int64_t) ((std::uint64_t) (now - min_late_at_[st]) / 1000);
    if (!late_set_[st] || lateness <= min_late_[st] + rise) {
      min_late_[st] = lateness;
      min_late_at_[st] = now;
      late_set_[st] = true;
    }
    tracking
        = !s.active || (!settled_ && s.now < *first_sample_at_ + kLiveSettle);
    if (tracking) {
      std::int64_t edge = INT64_MIN;
      for (int i = 0; i < 2; i++)
        if (late_set_[i])
          edge = std::max (edge, min_late_[i]);
      offset_ = edge;
      offset_set_ = true;
      /* Older than the live edge by more than the starving threshold:
       * start-up burst, skipped. */
      m.stale = lateness > edge + limit;
    }
  }
  /* Re-anchored when the candidate falls behind by more than the starving
   * threshold (stall, slow decoding, burst after a gap): from there on the
   * output is covered by filler, and samples mapped behind it would all be
   * dropped. */
  if (!tracking && (!offset_set_ || brt + offset_ < now - limit)) {
    m.reanchored = offset_set_;
    offset_ = lateness;
    offset_set_ = true;
  }
  m.out_ns = brt + offset_;
  /* The candidate's content takes over from filler right where the filler
   * ended, instead of being dropped as behind it. */
  if (!m.stale && s.filler_end && m.out_ns < s.filler_end->count ()) {
    offset_ += s.filler_end->count () - m.out_ns;
    m.out_ns = s.filler_end->count ();
  }
  return m;
}

void
CandidateTimeline::resettle ()
{
  first_sample_at_.reset ();
  settled_ = false;
  late_set_[0] = late_set_[1] = false;
  skip_before_[0].reset ();
  skip_before_[1].reset ();
}

void
CandidateTimeline::skip_before (int stream, TimePoint rt)
{
  skip_before_[stream == 0 ? 0 : 1] = rt;
}

void
CandidateTimeline::reset ()
{
  offset_set_ = false;
  late_set_[0] = late_set_[1] = false;
  skip_before_[0].reset ();
  skip_before_[1].reset ();
  first_sample_at_.reset ();
  settled_ = false;
}

bool
CandidateTimeline::must_wait (std::int64_t out_ns, TimePoint now,
                              Duration late_limit)
{
  return out_ns > now.count () + late_limit.count () / 2;
}

/* ---- OutputTimeline -------------------------------------------------------
 */

OutputTimeline::Placement
OutputTimeline::place_video (TimePoint pts, Duration duration) const
{
  Placement p{ false, pts, duration, 0 };
  if (last_end_ && pts < *last_end_) {
    if (pts + duration / 2 <= *last_end_)
      p.drop = true;
    else
      p.pts = *last_end_;
  }
  return p;
}

OutputTimeline::Placement
OutputTimeline::place_audio (TimePoint pts, std::uint64_t samples,
                             int rate) const
{
  Placement p{ false, pts, Duration (samples_to_ns (samples, rate)), 0 };
  if (last_end_ && pts < *last_end_) {
    std::uint64_t trim = ns_to_samples ((*last_end_ - pts).count (), rate);
    if (trim >= samples) {
      p.drop = true;
      return p;
    }
    p.trim_samples = trim;
    p.pts = *last_end_;
    p.duration = Duration (samples_to_ns (samples - trim, rate));
  }
  return p;
}

Duration
OutputTimeline::switch_gap (TimePoint pts, bool from_candidate) const
{
  std::optional<TimePoint> prev
      = from_candidate && last_real_end_ ? last_real_end_ : last_end_;
  if (!prev)
    return Duration::zero ();
  return pts > *prev ? pts - *prev : Duration::zero ();
}

void
OutputTimeline::commit (TimePoint pts, Duration duration, std::uint64_t source,
                        bool video)
{
  last_end_ = pts + duration;
  if (source != kFillerSource)
    last_real_end_ = last_end_;
  last_source_ = source;
  if (video && source != kFillerSource) {
    last_frame_time_ = pts;
    last_frame_source_ = source;
  }
}

std::optional<TimePoint>
OutputTimeline::filler_end () const
{
  if (last_source_ == kFillerSource)
    return last_end_;
  return std::nullopt;
}

std::optional<TimePoint>
OutputTimeline::starving_at (Duration threshold) const
{
  if (!last_end_ || last_source_ == kFillerSource)
    return std::nullopt;
  return *last_end_ + threshold;
}

std::optional<TimePoint>
OutputTimeline::filler_due (const FillerInput &in) const
{
  if (last_end_) {
    const TimePoint end = *last_end_;
    if (in.on_filler) {
      if (end > in.now)
        return std::nullopt;
    } else if (last_source_ == kFillerSource) {
      /* Never ahead of now: the candidate's next sample must fit. */
      if (end + in.frame > in.now)
        return std::nullopt;
    } else if (in.now < end + in.threshold) {
      return std::nullopt;
    }
  }
  return last_end_ && *last_end_ + in.latency >= in.now ? *last_end_ : in.now;
}

std::uint64_t
OutputTimeline::silence_samples (TimePoint pts, TimePoint now, bool on_filler,
                                 Duration lead, int rate) const
{
  if (rate <= 0)
    return 0;
  TimePoint until = on_filler || !last_end_ ? now + lead : now;
  if (until <= pts)
    return 0;
  return ns_to_samples ((until - pts).count (), rate);
}

OutputTimeline::Picture
OutputTimeline::picture (TimePoint pts, bool have_last_frame, bool have_image,
                         Duration hold, std::uint64_t active,
                         bool just_switched) const
{
  bool hold_ok = have_last_frame
                 && ((last_frame_time_ && pts < *last_frame_time_ + hold)
                     || (active != kFillerSource
                         && (last_frame_source_ == active || just_switched)));
  if (hold_ok)
    return Picture::LastFrame;
  return have_image ? Picture::Image : Picture::Black;
}

} // namespace resilient::failover
