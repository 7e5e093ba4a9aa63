/* gst-resilient server side: reswhipserversrc's output stage.
 *
 * Two live appsrcs (video: I420 at a fixed size and rate; audio: S16LE
 * 48 kHz stereo) in the element. The video is paced by the stage's own
 * thread on the element's clock: one frame every frame period, stamped
 * with that slot's running time (so timestamps run on, evenly spaced,
 * across publisher loss, filler and takeover, and a decoder's burst
 * cannot bunch them; a late wake-up catches up rather than leaving a
 * hole): the active publisher's latest frame (live), that
 * frame again (hold, for a while after the publisher's video stopped),
 * or black (filler). Audio from the publisher is stamped on arrival
 * (contiguous, never before the previous buffer's end); silence fills
 * when it stops. Which of live / hold / filler is decided by
 * resilient::server::OutputPolicy (lib).
 *
 * Threads: push_video/push_audio from the active publisher's streaming
 * threads, the pacing thread between start() and stop() (state-change
 * thread). `lock_` serialises stamping and pushing (an appsrc push only
 * queues: block=false, leaky).
 */
#pragma once

#include "resilient/server/whipingest.h"

#include <gst/gst.h>

#include <cstdint>
#include <mutex>
#include <thread>

namespace resilient::gst::server {

struct OutputFormat
{
  int width = 1280;
  int height = 720;
  int fps = 30;
  int rate = 48000;
  int channels = 2;
  resilient::Duration gap = resilient::ms (250);
  resilient::Duration hold = resilient::ms (1000);
};

struct OutputCounters
{
  std::uint64_t live_frames = 0;
  std::uint64_t hold_frames = 0;
  std::uint64_t filler_frames = 0;
  std::uint64_t live_audio = 0;   /* buffers */
  std::uint64_t filler_audio = 0; /* buffers */
  const char *mode = "filler";
};

class IngestOutput
{
public:
  /* Makes the two appsrcs ("video_out", "audio_out") inside `bin`; `clock_of`
   * is the element whose clock and base time give the running time. */
  IngestOutput (GstBin *bin, GstElement *clock_of, const OutputFormat &f);
  ~IngestOutput ();
  IngestOutput (const IngestOutput &) = delete;
  IngestOutput &operator= (const IngestOutput &) = delete;

  GstElement *video () const { return video_; }
  GstElement *audio () const { return audio_; }
  /* The caps a publisher's decoded media is converted to. */
  GstCaps *video_caps () const;
  GstCaps *audio_caps () const;

  /* A publisher's decoded buffer (taken), already in our caps. */
  void push_video (GstBuffer *buf);
  void push_audio (GstBuffer *buf);
  /* PAUSED->PLAYING / PLAYING->PAUSED: the pacing thread. */
  void start ();
  void stop ();
  /* Forget the last frame and the stamps (READY). */
  void reset ();
  OutputCounters counters ();

private:
  bool running_time (GstClockTime &now);
  void pace ();
  void emit_frame (GstClockTime slot);
  void fill_audio_locked (GstClockTime now);

  GstElement *clock_of_;
  OutputFormat f_;
  GstElement *video_ = nullptr; /* owned by the bin */
  GstElement *audio_ = nullptr;
  GstClockTime frame_ = 0;

  std::mutex lock_;
  resilient::server::OutputPolicy video_policy_;
  resilient::server::OutputPolicy audio_policy_;
  GstBuffer *last_frame_ = nullptr;
  GstBuffer *black_ = nullptr;
  GstClockTime last_slot_ = GST_CLOCK_TIME_NONE; /* PTS of the last frame */
  GstClockID wait_ = nullptr; /* the pacing thread's wait, to unschedule */
  bool stopping_ = false;
  std::thread thread_;
  GstClockTime audio_end_ = GST_CLOCK_TIME_NONE;
  OutputCounters n_;
};

} // namespace resilient::gst::server
