#include "server/ingestoutput.h"

#include <gst/app/app.h>

#include <algorithm>
#include <cstring>

namespace resilient::gst::server {

static GstElement *
make_src (GstBin *bin, const char *name, GstCaps *caps, guint64 max_buffers)
{
  GstElement *src = gst_element_factory_make ("appsrc", name);
  g_object_set (src, "is-live", TRUE, "format", GST_FORMAT_TIME, "do-timestamp",
                FALSE, "block", FALSE, "max-bytes", (guint64)0, "max-buffers",
                max_buffers, "caps", caps, NULL);
  gst_app_src_set_leaky_type (GST_APP_SRC (src), GST_APP_LEAKY_TYPE_DOWNSTREAM);
  gst_caps_unref (caps);
  gst_bin_add (bin, src);
  return src;
}

static resilient::TimePoint
tp (GstClockTime t)
{
  return resilient::from_ns (t);
}

IngestOutput::IngestOutput (GstBin *bin, GstElement *clock_of,
                            const OutputFormat &f)
    : clock_of_ (clock_of), f_ (f), video_policy_ (f.gap, f.hold),
      audio_policy_ (f.gap, resilient::Duration (0))
{
  frame_ = gst_util_uint64_scale_int (GST_SECOND, 1, std::max (1, f.fps));
  video_ = make_src (bin, "video_out", video_caps (), 8);
  audio_ = make_src (bin, "audio_out", audio_caps (), 64);
  /* black I420: Y 16, U and V 128 */
  gsize y = (gsize)f.width * f.height;
  gsize c = (gsize)((f.width + 1) / 2) * ((f.height + 1) / 2);
  black_ = gst_buffer_new_allocate (nullptr, y + 2 * c, nullptr);
  GstMapInfo map;
  gst_buffer_map (black_, &map, GST_MAP_WRITE);
  memset (map.data, 16, y);
  memset (map.data + y, 128, 2 * c);
  gst_buffer_unmap (black_, &map);
}

IngestOutput::~IngestOutput ()
{
  stop ();
  reset ();
  gst_buffer_unref (black_);
}

GstCaps *
IngestOutput::video_caps () const
{
  return gst_caps_new_simple (
      "video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
      f_.width, "height", G_TYPE_INT, f_.height, "framerate", GST_TYPE_FRACTION,
      f_.fps, 1, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
}

GstCaps *
IngestOutput::audio_caps () const
{
  return gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING, "S16LE",
                              "layout", G_TYPE_STRING, "interleaved", "rate",
                              G_TYPE_INT, f_.rate, "channels", G_TYPE_INT,
                              f_.channels, NULL);
}

bool
IngestOutput::running_time (GstClockTime &now)
{
  GstClock *clock = gst_element_get_clock (clock_of_);
  if (!clock)
    return false;
  GstClockTime t = gst_clock_get_time (clock);
  gst_object_unref (clock);
  GstClockTime base = gst_element_get_base_time (clock_of_);
  if (t < base)
    return false;
  now = t - base;
  return true;
}

void
IngestOutput::push_video (GstBuffer *buf)
{
  GstClockTime now;
  if (!running_time (now)) {
    gst_buffer_unref (buf);
    return;
  }
  std::lock_guard<std::mutex> g (lock_);
  video_policy_.on_media (tp (now));
  gst_buffer_replace (&last_frame_, buf);
  gst_buffer_unref (buf);
  n_.live_frames++;
}

void
IngestOutput::push_audio (GstBuffer *buf)
{
  GstClockTime now;
  if (!running_time (now)) {
    gst_buffer_unref (buf);
    return;
  }
  std::lock_guard<std::mutex> g (lock_);
  audio_policy_.on_media (tp (now));
  buf = gst_buffer_make_writable (buf);
  guint64 samples = gst_buffer_get_size (buf) / (2 * f_.channels);
  GstClockTime dur = gst_util_uint64_scale_int (samples, GST_SECOND, f_.rate);
  GstClockTime pts
      = audio_end_ == GST_CLOCK_TIME_NONE ? now : std::max (now, audio_end_);
  if (pts > now + 200 * GST_MSECOND) {
    gst_buffer_unref (buf); /* a burst: do not build up latency */
    return;
  }
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buf) = dur;
  audio_end_ = pts + dur;
  n_.live_audio++;
  gst_app_src_push_buffer (GST_APP_SRC (audio_), buf);
}

/* Silence from the end of the last audio up to `now` (at most 200 ms at
 * once, and from 40 ms back at the start). */
void
IngestOutput::fill_audio_locked (GstClockTime now)
{
  if (audio_end_ == GST_CLOCK_TIME_NONE || now > audio_end_ + 200 * GST_MSECOND)
    audio_end_ = now > 40 * GST_MSECOND ? now - 40 * GST_MSECOND : 0;
  if (now <= audio_end_ + 10 * GST_MSECOND)
    return;
  guint64 samples
      = gst_util_uint64_scale_int (now - audio_end_, f_.rate, GST_SECOND);
  GstBuffer *b
      = gst_buffer_new_allocate (nullptr, samples * 2 * f_.channels, nullptr);
  gst_buffer_memset (b, 0, 0, samples * 2 * f_.channels);
  GstClockTime dur = gst_util_uint64_scale_int (samples, GST_SECOND, f_.rate);
  GST_BUFFER_PTS (b) = audio_end_;
  GST_BUFFER_DURATION (b) = dur;
  audio_end_ += dur;
  n_.filler_audio++;
  gst_app_src_push_buffer (GST_APP_SRC (audio_), b);
}

/* Pacing thread: the frame of slot `slot` (its PTS), and silence when
 * the publisher's audio stopped. */
void
IngestOutput::emit_frame (GstClockTime slot)
{
  std::lock_guard<std::mutex> g (lock_);
  if (audio_policy_.mode (tp (slot)) != resilient::server::OutputMode::Live)
    fill_audio_locked (slot);
  auto mode = video_policy_.mode (tp (slot));
  n_.mode = resilient::server::output_mode_name (mode);
  GstBuffer *b;
  if (mode != resilient::server::OutputMode::Filler && last_frame_) {
    b = gst_buffer_copy (last_frame_);
    n_.hold_frames += mode == resilient::server::OutputMode::Hold;
  } else {
    b = gst_buffer_copy (black_);
    n_.filler_frames++;
  }
  GST_BUFFER_PTS (b) = slot;
  GST_BUFFER_DTS (b) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (b) = frame_;
  last_slot_ = slot;
  gst_app_src_push_buffer (GST_APP_SRC (video_), b);
}

/* One frame per period on the element's clock. A late wake-up (a loaded
 * machine) catches up, every slot gets its frame (the timestamps stay
 * evenly spaced, a live sink drops what is too late); only more than
 * kMaxCatchUp behind are slots skipped. */
static constexpr GstClockTime kMaxCatchUp = GST_SECOND;

void
IngestOutput::pace ()
{
  GstClock *clock = gst_element_get_clock (clock_of_);
  if (!clock)
    return;
  GstClockTime base = gst_element_get_base_time (clock_of_);
  GstClockTime slot = 0;
  for (;;) {
    GstClockTime now;
    if (!running_time (now))
      now = 0;
    if (slot == 0 || slot + kMaxCatchUp < now)
      slot = (now / frame_ + 1) * frame_;
    if (last_slot_ != GST_CLOCK_TIME_NONE && slot <= last_slot_)
      slot = last_slot_ + frame_;
    GstClockID id = gst_clock_new_single_shot_id (clock, base + slot);
    {
      std::lock_guard<std::mutex> g (lock_);
      if (stopping_) {
        gst_clock_id_unref (id);
        break;
      }
      wait_ = id;
    }
    gst_clock_id_wait (id, nullptr);
    {
      std::lock_guard<std::mutex> g (lock_);
      wait_ = nullptr;
      bool stop = stopping_;
      gst_clock_id_unref (id);
      if (stop)
        break;
    }
    emit_frame (slot);
    slot += frame_;
  }
  gst_object_unref (clock);
}

void
IngestOutput::start ()
{
  stop ();
  {
    std::lock_guard<std::mutex> g (lock_);
    stopping_ = false;
  }
  thread_ = std::thread ([this] { pace (); });
}

void
IngestOutput::stop ()
{
  {
    std::lock_guard<std::mutex> g (lock_);
    stopping_ = true;
    if (wait_)
      gst_clock_id_unschedule (wait_);
  }
  if (thread_.joinable ())
    thread_.join ();
}

void
IngestOutput::reset ()
{
  std::lock_guard<std::mutex> g (lock_);
  gst_buffer_replace (&last_frame_, nullptr);
  audio_end_ = GST_CLOCK_TIME_NONE;
  video_policy_ = resilient::server::OutputPolicy (f_.gap, f_.hold);
  audio_policy_
      = resilient::server::OutputPolicy (f_.gap, resilient::Duration (0));
}

OutputCounters
IngestOutput::counters ()
{
  std::lock_guard<std::mutex> g (lock_);
  return n_;
}

} // namespace resilient::gst::server
