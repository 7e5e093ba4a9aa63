/* gst-resilient: failoversrc mode=encoded, where a switch cuts in.
 *
 * In encoded mode nothing is decoded: the output carries the candidates'
 * parsed elementary streams, so a switch must land on a keyframe of the
 * new candidate. A running candidate that is not on the output keeps its
 * current GOP (GopStore, warm.h: video from its last keyframe, audio for
 * the same span). At the switch the kept keyframe goes out at once, at the
 * cut point (the output's end, or now), and everything the candidate sends
 * from then on is shifted by the same delay: the output is continuous and
 * starts from a decodable picture, and that candidate runs behind its live
 * edge by at most the age of its GOP (max_delay). Without a kept keyframe
 * (a cold start, or a GOP older than max_delay) the new candidate's video
 * waits for its next keyframe (KeyframeWait), with no delay.
 *
 * Plain C++, times are output running times (the element maps each unit
 * with CandidateTimeline first); unit-tested without a pipeline.
 */
#pragma once

#include "resilient/core/time.h"

#include <optional>
#include <vector>

namespace resilient::failover {

struct CutConfig
{
  /* A kept keyframe older than this (at the cut) is not used: the output
   * would run that far behind the candidate's live edge. 2 s covers the
   * usual 1-2 s GOPs of live encoders; longer GOPs wait for the next
   * keyframe. */
  Duration max_delay = ms (2000);
};

struct CutPlan
{
  /* Start from the kept keyframe (else: wait for the next one). */
  bool from_kept = false;
  /* Added to the new candidate's output times from the cut on. */
  Duration delay{};
  /* The kept keyframe's output time before the delay: kept audio older
   * than this is dropped (it would go out before the cut). */
  std::optional<TimePoint> keyframe_out;
};

/* The plan for a switch at `now`: `video_kept` holds the output times of
 * the new candidate's kept video units in order, the first a keyframe (or
 * nothing kept); `output_end` is where the output's video has got to. */
CutPlan plan_cut (const std::vector<TimePoint> &video_kept,
                  std::optional<TimePoint> output_end, TimePoint now,
                  const CutConfig &config = {});

/* One kept unit's output time and its running time in its candidate. */
struct KeptTime
{
  TimePoint out;
  TimePoint running_time;
};

/* The kept units' output times as the candidate's own spacing gives them,
 * anchored on the newest: units kept while the candidate's mapping was
 * still learning its live edge (a start-up burst) were mapped with older
 * offsets and may crowd together or overlap. */
std::vector<TimePoint> respaced (const std::vector<KeptTime> &kept);

/* Video of a new source (or a fresh start) waits for a keyframe: a delta
 * unit before it would be undecodable downstream. */
class KeyframeWait
{
public:
  /* From now on, units wait for the next keyframe. */
  void arm () { waiting_ = true; }
  /* The cut starts from a keyframe already: nothing to wait for. */
  void satisfy () { waiting_ = false; }
  /* Whether a unit goes out (a keyframe ends the wait). */
  bool admit (bool keyframe);
  bool waiting () const { return waiting_; }

private:
  bool waiting_ = true;
};

/* Both streams of a new source go on air at one cut time: the output time
 * of its video's first unit (the kept keyframe, or the next keyframe when
 * the video waits for one). Its audio before that time is dropped and,
 * while that time is not known yet, held: sent on at once, it would run
 * ahead of a video pad that carries nothing until the keyframe, and a
 * live muxer writes such audio on its own once its latency has passed.
 * The caps change at the keyframe then lands behind it: flvmux stamps a
 * new codec-data tag with the video's previous unit's time and logs "Got
 * backwards dts" by the audio's lead (up to a GOP).
 *
 * One per new source, from the switch until its video's cut. */
class CommonCut
{
public:
  enum class Audio {
    Send, /* at or after the cut */
    Hold, /* the cut time is not known yet */
    Drop, /* before the cut */
  };

  /* The cut is at `at` (a kept keyframe's output time). */
  void open_at (TimePoint at);
  /* The video waits for its next keyframe: the cut time is not known. */
  void wait ();
  /* A video unit of the new source at `out` while the cut waits: a
   * keyframe sets the cut time (true: the held audio is to be released);
   * a delta unit (dropped by KeyframeWait) says the cut comes after
   * `out`, so audio up to it can be dropped at once. */
  bool on_video (bool keyframe, TimePoint out);
  /* What happens to an audio unit at `out`. */
  Audio on_audio (TimePoint out) const;

  bool waiting () const { return waiting_; }
  std::optional<TimePoint> cut () const { return cut_; }

private:
  bool waiting_ = false;
  std::optional<TimePoint> cut_;
  std::optional<TimePoint> floor_; /* newest video unit seen waiting */
};

/* The duration of an encoded audio unit whose buffer has none (AAC from
 * flvdemux, RTMP): an AAC frame carries 1024 samples at `rate`; zero when
 * not known (another codec, no rate). Without it the output's audio ends
 * where its last unit starts: the next source's first audio (the filler's
 * silence at a cut into filler) would be dropped as overlapping it until
 * `latency` has passed, and a burst of such units would crowd onto one
 * time. */
Duration audio_unit_duration (bool aac, int rate);

/* Where an encoded unit goes on the output, after what went out before
 * (`last_dts`: the previous unit's decode time, `last_end`: its end). */
struct EncodedPlacement
{
  bool drop = false;
  TimePoint dts{};
};

/* Video is never dropped (a missing unit breaks the decoding of its GOP):
 * a decode time less than 1 ms after the previous one is moved to 1 ms
 * after it (FLV and RTMP count in milliseconds: two units in one
 * millisecond would share a timestamp there).
 * Audio frames decode on their own: one not after the previous one, or
 * starting more than half a frame before its end, is dropped (as the
 * decoded output clips; a candidate's start-up burst can map several
 * frames onto one time). */
EncodedPlacement place_encoded (bool video, TimePoint dts, Duration duration,
                                std::optional<TimePoint> last_dts,
                                std::optional<TimePoint> last_end);

} // namespace resilient::failover
