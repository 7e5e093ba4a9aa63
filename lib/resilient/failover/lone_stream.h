/* gst-resilient: a container that carries one stream, said early.
 *
 * flvdemux cannot trust the FLV header's audio/video flags (rtmp2src always
 * writes "video only"; files lie both ways), so after its first stream it
 * waits for the other one for 6 s of stream time (NO_MORE_PADS_THRESHOLD)
 * before it emits no-more-pads; decodebin2 (uridecodebin) exposes a
 * demuxer's pads only then. An RTMP or HTTP-FLV stream with only video (a
 * camera, `ffmpeg -an`) or only audio therefore puts its first unit out
 * 6-7 s after its candidate starts: as the primary, as a backup, and after
 * every restart.
 *
 * Publishers interleave their streams by time (FLV muxers write tags in
 * timestamp order), so in a stream with both, the second stream's first
 * tag comes within an interleave of the first's: tens of milliseconds,
 * an audio frame or a video frame. Once the only stream has run for
 * kLoneStreamAfter of its own time with no other stream, the demuxer is
 * told that no more pads come (the element emits no-more-pads on it).
 *
 * Plain C++, fed the demuxer's pads and unit times; unit-tested without a
 * pipeline.
 */
#pragma once

#include "resilient/core/time.h"

#include <optional>

namespace resilient::failover {

/* Stream time the only stream of a container runs before no other stream
 * is expected: far above the interleave of a publisher's streams (well
 * under 100 ms: a GOP-cache burst from the server comes interleaved as
 * well), far below flvdemux's own 6 s. A second stream that starts later
 * still than this is linked when it comes (as after flvdemux's 6 s). */
inline constexpr Duration kLoneStreamAfter = ms (1000);

class LoneStreamWatch
{
public:
  explicit LoneStreamWatch (Duration after = kLoneStreamAfter)
      : after_ (after)
  {
  }

  /* The demuxer added a stream (a source pad). */
  void stream_added () { streams_++; }
  /* A unit on any of the demuxer's streams at stream time `ts`. True once,
   * at the unit from which the container counts as carrying one stream. */
  bool on_unit (TimePoint ts);
  bool declared () const { return declared_; }

private:
  Duration after_;
  int streams_ = 0;
  std::optional<TimePoint> first_;
  bool declared_ = false;
};

} // namespace resilient::failover
