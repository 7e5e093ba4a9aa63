/* What the autorestoresink integration tests watch with: a player that
 * counts the video frames it decodes, on any URL a gst-launch description
 * can open. */
#pragma once

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace restoretest {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

inline GstElement *
launch (const std::string & desc)
{
  GError *err = nullptr;
  GstElement *p = gst_parse_launch (desc.c_str (), &err);
  EXPECT_EQ (err, nullptr) << (err ? err->message : "") << " in " << desc;
  g_clear_error (&err);
  return p;
}

/* A player that counts the video frames it decodes. */
class Viewer
{
public:
  explicit Viewer (const std::string & desc)
  {
    pipeline_ = launch (desc);
    GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline_), "vsink");
    GstPad *pad = gst_element_get_static_pad (sink, "sink");
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad *, GstPadProbeInfo *, gpointer d) {
          auto *self = static_cast<Viewer *>(d);
          if (self->frames_++ == 0)
            self->first_ = steady_clock::now ();
          return GST_PAD_PROBE_OK;
        }, this, nullptr);
    gst_object_unref (pad);
    gst_object_unref (sink);
    gst_element_set_state (pipeline_, GST_STATE_PLAYING);
  }
  ~Viewer ()
  {
    gst_element_set_state (pipeline_, GST_STATE_NULL);
    gst_object_unref (pipeline_);
  }
  int frames () const { return frames_; }
  bool wait_frames (int n, milliseconds timeout)
  {
    auto end = steady_clock::now () + timeout;
    while (steady_clock::now () < end && frames_ < n)
      std::this_thread::sleep_for (milliseconds (5));
    return frames_ >= n;
  }
  steady_clock::time_point first () const { return first_; }

private:
  GstElement *pipeline_;
  std::atomic<int> frames_ {0};
  steady_clock::time_point first_;
};

inline std::string
rtmp_viewer (const std::string & url)
{
  return "rtmp2src location=" + url + " ! flvdemux name=d "
      "d.video ! queue ! h264parse ! avdec_h264 ! fakesink name=vsink sync=false "
      "d.audio ! queue ! fakesink sync=false";
}

}  // namespace restoretest
