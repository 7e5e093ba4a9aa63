/* gst-resilient: failoversrc's output stage.
 *
 * The front of the element: one appsrc per stream behind an always-present
 * ghost pad (`video`, `audio`). Everything that reaches them goes through
 * push_output: the caps are fixed on the first candidate's format (or the
 * configured / default caps), each buffer is placed on the output timeline
 * (OutputTimeline: overlap clamped or clipped, DISCONT on a new source), the
 * origin meta is set, and the first buffer of a switch's new source measures
 * the gap and releases the switch message. filler_tick puts out the held
 * frame, the fallback image or black, and silence, when nothing feeds a
 * stream.
 */
#pragma once

#include "gstfailoversrc.h"
#include "resilient/failover/output_timeline.h"

struct GstFailoverSrcPrivate;

#include <gst/audio/audio.h>
#include <gst/video/video.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace resilient::gst::failoversrc {

enum StreamIdx {
  VIDEO = 0,
  AUDIO = 1,
};
extern const char *const stream_names[2];

/* One output stream (its lock guards the rest). */
struct OutputStream
{
  std::mutex lock;
  GstCaps *caps = nullptr; /* fixed output caps once known */
  /* Last sample caps found to be a subset of `caps`: appsinks hand out the
   * same caps object for every sample, so the subset check runs once. */
  GstCaps *accepted = nullptr;
  GstVideoInfo vinfo;
  GstAudioInfo ainfo;
  /* Where the output has got to, from which source (run id, 0 filler). */
  resilient::failover::OutputTimeline timeline;
  GstBuffer *last_frame = nullptr; /* last candidate video frame */
  GstBuffer *black = nullptr;
  GstBuffer *image = nullptr;
  bool image_tried = false;
  /* mode=encoded: the decode time of the last unit out. */
  std::optional<resilient::TimePoint> last_dts;
  /* mode=encoded, from the output caps: one unit's duration (a video frame
   * at the caps' framerate, an AAC frame at its rate); NONE when the caps
   * do not say. */
  GstClockTime coded_unit = GST_CLOCK_TIME_NONE;
};

struct OutputStage
{
  OutputStream out[2];
  GstElement *appsrc[2] = { nullptr, nullptr };
  GstPad *ghost[2] = { nullptr, nullptr };
  /* enable-video / enable-audio as of READY->PAUSED (any thread) */
  std::atomic<bool> enabled[2]{ true, true };
  /* mode=encoded as of READY->PAUSED: no conversion, no filler. */
  std::atomic<bool> encoded{ false };
};

/* class_init: the GstFailoverSrcOriginMeta custom meta. */
void register_origin_meta ();
/* _init: the appsrcs and their ghost pads, added to the element. */
void output_stage_init (GstFailoverSrc *self, GstPadTemplate *video,
                        GstPadTemplate *audio);

/* Caps a candidate branch converts to before the output caps are known. */
GstCaps *branch_caps (GstFailoverSrc *self, int stream);
/* OutputStream::lock held: the output video's frame duration (raw: its
 * video info's framerate; mode=encoded: its caps'; 30 fps when unknown). */
GstClockTime frame_duration (OutputStream &o);
/* The starving threshold for the configured latency. */
GstClockTime starve_threshold (GstFailoverSrcPrivate *priv);

/* Pushes one buffer to an output stream, re-timestamped to `pts` (running
 * time). `source` is the run id (0 = filler), `index` the candidate index
 * for the origin meta. Takes ownership of `buf`. Any thread. */
void push_output (GstFailoverSrc *self, int stream, GstBuffer *buf,
                  GstClockTime pts, std::uint64_t source, int index,
                  GstCaps *caps);
/* mode=encoded: pushes one encoded unit whose presentation time maps to
 * `out` (running time); its decode time keeps its distance and only moves
 * forward, DISCONT marks a new source, a caps change of the same codec is
 * forwarded before it. False (and `buf` dropped) when its codec is not the
 * output's. Takes ownership of `buf`. Any thread. */
bool push_encoded (GstFailoverSrc *self, int stream, GstBuffer *buf,
                   GstClockTime out, std::uint64_t source, int index,
                   GstCaps *caps);
/* mode=encoded: whether units in `caps` may go out on `stream` (the
 * output's codec is not fixed yet, or is theirs). */
bool encoded_caps_fit (GstFailoverSrc *self, int stream, GstCaps *caps);
/* The WARNING text for a candidate refused for its codec. */
std::string codec_refusal (GstFailoverSrc *self, int stream, GstCaps *caps);
/* Loop thread: filler for every stream that needs it. */
void filler_tick (GstFailoverSrc *self, GstClockTime now, GstClockTime startup);
/* Loop thread: running candidates convert to the caps now known; the
 * fallback image is prepared. */
void on_output_caps_known (GstFailoverSrc *self, int stream);

/* READY->PAUSED: forget the previous run's output, apply fixed caps. */
void reset_outputs (GstFailoverSrc *self);
void apply_fixed_caps (GstFailoverSrc *self);
/* What is wrong with video-caps / audio-caps, "" when usable. */
std::string check_fixed_caps (GstFailoverSrc *self);
/* Ends both output streams. */
void end_output (GstFailoverSrc *self);

} // namespace resilient::gst::failoversrc
