/* gst-resilient server side: reswhipserversrc's recording, on
 * gst/resilient/restore/recording.h (autorestoresink's recording, used as
 * is: splitmuxsink clips cut by size and/or length, a failure that never
 * reaches the stream).
 *
 * The output is raw, so the recording encodes it once (x264enc
 * ultrafast/zerolatency, opusenc) from a tee on each output stream:
 * appsrc -> tee -> (the element's pad) and -> queue (leaky) -> encoder ->
 * tee -> Recording. The current clip is closed (split-now) when the
 * publisher is lost; clips go on across publishers (filler included, so a
 * clip's timeline is the output's).
 */
#pragma once

#include "restore/recording.h"

#include <gst/gst.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace resilient::gst::server {

struct ClipInfo
{
  std::string location;
  std::uint64_t index = 0;
  std::int64_t duration_ms = -1; /* from the previous clip's end */
  std::int64_t size_bytes = -1;
};

class IngestRecording
{
public:
  /* Puts a tee after each of the output's appsrcs (`video_src`,
   * `audio_src`) and builds the encoders and the recording in `bin`;
   * `fps` sets the keyframe interval (2 s). The element's pads then
   * target video_pad() / audio_pad() (the tees' first src pads). */
  bool open (GstBin *bin, GstElement *video_src, GstElement *audio_src,
             const RecordingConfig &config, int fps, std::string &error);
  GstPad *video_pad () const { return out_pads_[0]; }
  GstPad *audio_pad () const { return out_pads_[1]; }
  /* After the element's pads dropped their targets. */
  void close ();
  bool is_open () const { return recording_.is_open (); }
  Recording &recording () { return recording_; }

  /* Closes the clip being written (a new one starts with the next
   * keyframe). */
  void split_now ();
  /* A closed clip, from a child's element message (any thread). */
  std::optional<ClipInfo> note_message (GstMessage *msg);

private:
  bool encoder_branch (GstElement *raw_tee, bool video, int fps);
  GstElement *tee_after (GstElement *src, int i);

  GstBin *bin_ = nullptr;
  Recording recording_;
  std::vector<GstElement *> elements_; /* our branches (owned by bin_) */
  std::vector<GstPad *> tee_pads_;     /* requested on the raw tees */
  GstPad *out_pads_[2] = { nullptr, nullptr };
  std::int64_t last_end_ms_ = 0;
};

} // namespace resilient::gst::server
