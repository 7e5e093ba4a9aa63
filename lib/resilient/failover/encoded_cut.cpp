/* gst-resilient: failoversrc mode=encoded, where a switch cuts in (see
 * encoded_cut.h). */
#include "resilient/failover/encoded_cut.h"

#include <algorithm>

namespace resilient::failover {

/* The smallest step between two video decode times on the output (the
 * resolution of FLV and RTMP timestamps). */
constexpr Duration kDtsStep = std::chrono::milliseconds (1);

CutPlan
plan_cut (const std::vector<TimePoint> &video_kept,
          std::optional<TimePoint> output_end, TimePoint now,
          const CutConfig &config)
{
  CutPlan plan;
  if (video_kept.empty ())
    return plan;
  const TimePoint cut = std::max (now, output_end.value_or (now));
  const TimePoint keyframe = video_kept.front ();
  const Duration delay = std::max (Duration::zero (), cut - keyframe);
  if (delay > config.max_delay)
    return plan;
  plan.from_kept = true;
  plan.delay = delay;
  plan.keyframe_out = keyframe;
  return plan;
}

std::vector<TimePoint>
respaced (const std::vector<KeptTime> &kept)
{
  std::vector<TimePoint> out;
  if (kept.empty ())
    return out;
  const KeptTime &newest = kept.back ();
  for (const KeptTime &k : kept)
    out.push_back (newest.out - (newest.running_time - k.running_time));
  return out;
}

bool
KeyframeWait::admit (bool keyframe)
{
  if (waiting_ && keyframe)
    waiting_ = false;
  return !waiting_;
}

void
CommonCut::open_at (TimePoint at)
{
  waiting_ = false;
  cut_ = at;
  floor_.reset ();
}

void
CommonCut::wait ()
{
  waiting_ = true;
  cut_.reset ();
  floor_.reset ();
}

bool
CommonCut::on_video (bool keyframe, TimePoint out)
{
  if (!waiting_)
    return false;
  if (keyframe) {
    open_at (out);
    return true;
  }
  if (!floor_ || out > *floor_)
    floor_ = out;
  return false;
}

CommonCut::Audio
CommonCut::on_audio (TimePoint out) const
{
  if (waiting_)
    return floor_ && out <= *floor_ ? Audio::Drop : Audio::Hold;
  return cut_ && out < *cut_ ? Audio::Drop : Audio::Send;
}

Duration
audio_unit_duration (bool aac, int rate)
{
  if (!aac || rate <= 0)
    return Duration::zero ();
  return Duration (std::int64_t (1024) * 1000000000 / rate);
}

EncodedPlacement
place_encoded (bool video, TimePoint dts, Duration duration,
               std::optional<TimePoint> last_dts,
               std::optional<TimePoint> last_end)
{
  EncodedPlacement p;
  p.dts = dts;
  if (video) {
    if (last_dts && dts < *last_dts + kDtsStep)
      p.dts = *last_dts + kDtsStep;
    return p;
  }
  if ((last_dts && dts <= *last_dts)
      || (last_end && dts + duration / 2 < *last_end))
    p.drop = true;
  return p;
}

} // namespace resilient::failover
