#include "server/ingestrecording.h"

#include <glib/gstdio.h>

namespace resilient::gst::server {

/* raw tee -> queue -> convert -> encoder -> tee, recorded. */
bool
IngestRecording::encoder_branch (GstElement *raw_tee, bool video, int fps)
{
  GstElement *q = gst_element_factory_make ("queue", nullptr);
  GstElement *conv = gst_element_factory_make (
      video ? "videoconvert" : "audioconvert", nullptr);
  GstElement *enc
      = gst_element_factory_make (video ? "x264enc" : "opusenc", nullptr);
  GstElement *tee = gst_element_factory_make ("tee", nullptr);
  if (!q || !conv || !enc || !tee) {
    for (GstElement *e : { q, conv, enc, tee })
      if (e)
        gst_object_unref (gst_object_ref_sink (e));
    return false;
  }
  /* never hold the output back: a slow encoder loses frames, not the
   * stream */
  g_object_set (q, "leaky", 2, "max-size-buffers", 0u, "max-size-bytes", 0u,
                "max-size-time", (guint64)GST_SECOND, NULL);
  if (video)
    gst_util_set_object_arg (G_OBJECT (enc), "speed-preset", "ultrafast"),
        gst_util_set_object_arg (G_OBJECT (enc), "tune", "zerolatency"),
        g_object_set (enc, "key-int-max", (guint)(2 * fps), NULL);
  gst_bin_add_many (bin_, q, conv, enc, tee, nullptr);
  for (GstElement *e : { q, conv, enc, tee })
    elements_.push_back (e);
  GstPad *src = gst_element_request_pad_simple (raw_tee, "src_%u");
  GstPad *sink = gst_element_get_static_pad (q, "sink");
  bool ok = gst_pad_link (src, sink) == GST_PAD_LINK_OK
            && gst_element_link_many (q, conv, enc, tee, nullptr);
  gst_object_unref (sink);
  tee_pads_.push_back (src);
  return ok
         && recording_.add_stream (tee, video,
                                   video ? "h264parse" : "opusparse");
}

/* src -> tee; the tee's first src pad is the element's (out_pads_[i]). */
GstElement *
IngestRecording::tee_after (GstElement *src, int i)
{
  GstElement *tee = gst_element_factory_make ("tee", nullptr);
  gst_bin_add (bin_, tee);
  elements_.push_back (tee);
  gst_element_link (src, tee);
  out_pads_[i] = gst_element_request_pad_simple (tee, "src_%u");
  tee_pads_.push_back (GST_PAD (gst_object_ref (out_pads_[i])));
  return tee;
}

bool
IngestRecording::open (GstBin *bin, GstElement *video_src,
                       GstElement *audio_src, const RecordingConfig &config,
                       int fps, std::string &error)
{
  bin_ = bin;
  last_end_ms_ = 0;
  std::string why;
  if (!Recording::writable (config.location, why)) {
    error = "cannot record to " + config.location + ": " + why;
    return false;
  }
  if (!recording_.open (bin, config, error))
    return false;
  /* a sink inside a live source: its preroll must not hold the element's
   * state changes (the output never waits for the recording) */
  g_object_set (recording_.muxer (), "async-handling", TRUE, NULL);
  GstElement *video_tee = tee_after (video_src, 0);
  GstElement *audio_tee = tee_after (audio_src, 1);
  if (!encoder_branch (video_tee, true, fps)
      || !encoder_branch (audio_tee, false, fps)) {
    error = "cannot build the recording's encoders (x264enc, opusenc)";
    close ();
    return false;
  }
  return true;
}

void
IngestRecording::close ()
{
  recording_.close ();
  for (GstPad *p : tee_pads_) {
    GstElement *tee = gst_pad_get_parent_element (p);
    gst_element_release_request_pad (tee, p);
    gst_object_unref (tee);
    gst_object_unref (p);
  }
  tee_pads_.clear ();
  for (GstPad *&p : out_pads_)
    g_clear_pointer (&p, gst_object_unref);
  for (GstElement *e : elements_) {
    gst_element_set_state (e, GST_STATE_NULL);
    gst_bin_remove (bin_, e);
  }
  elements_.clear ();
}

void
IngestRecording::split_now ()
{
  if (GstElement *mux = recording_.muxer ())
    g_signal_emit_by_name (mux, "split-now");
}

std::optional<ClipInfo>
IngestRecording::note_message (GstMessage *msg)
{
  auto clip = recording_.note_message (msg);
  if (!clip)
    return std::nullopt;
  ClipInfo c;
  c.location = clip->location;
  c.index = clip->index;
  if (clip->running_time_ms >= 0) {
    c.duration_ms = clip->running_time_ms - last_end_ms_;
    last_end_ms_ = clip->running_time_ms;
  }
  GStatBuf st;
  if (g_stat (c.location.c_str (), &st) == 0)
    c.size_bytes = (std::int64_t)st.st_size;
  return c;
}

} // namespace resilient::gst::server
