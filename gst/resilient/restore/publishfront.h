/* gst-resilient: autorestoresink's publish front (publishfront.cpp).
 *
 * One front per input stream, in the application's pipeline, never
 * stopped: entry queue -> (videoconvert, encoder) -> parser -> tee ->
 * queue -> appsink, plus the recording's branch off the tee. The chain is
 * built on the loop at the first caps (the caps probe holds the entry
 * queue's thread meanwhile); an encoder failing at start or while running
 * is swapped for the next candidate of the EncoderChain; a destination that
 * cannot carry the codec gets another encoder in the running front;
 * keyframes are asked for a new session. The appsink's samples are
 * restamped to running time and fanned out (under the element's lock) to
 * every session being fed and to the hold queue.
 *
 * PublishFront owns the two Fronts and the EncoderChain; the sessions and
 * the hold queue it feeds are the element's (Private), under its lock,
 * which also guards each Front's encoded caps. Everything but the
 * streaming callbacks runs on the loop (asserted).
 */
#pragma once

#include "restore/sinkpart.h"
#include "resilient/restore/encoder_chain.h"
#include "restore/encoders.h"

#include <gst/app/app.h>
#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace resilient::gst::autorestore {

using resilient::restore::EncoderCandidate;
using resilient::restore::EncoderChain;

/* One input stream's front: entry queue -> (convert, encoder) -> parser ->
 * tee -> queue -> appsink, plus a recording branch off the tee. */
struct Front
{
  bool video = true;
  GstPad *ghost = nullptr;
  GstElement *entry = nullptr;
  GstElement *appsink = nullptr;
  /* Built on the first caps. */
  std::vector<GstElement *> chain;
  GstElement *encoder = nullptr;
  GstElement *tee = nullptr;
  bool linked = false;
  bool built = false;
  bool raw = false;
  bool eos = false;
  /* Encoded output caps (under lock). */
  GstCaps *caps = nullptr;
  std::string codec;
  std::string encoder_name;
  /* Keyframe interval in frames for this input's frame rate. */
  guint gop_frames = 60;
  std::atomic<std::uint64_t> bytes_in{ 0 };
  std::atomic<std::uint64_t> buffers_in{ 0 };
};

/* The sink pads `video` and `audio`. */
extern GstStaticPadTemplate video_template;
extern GstStaticPadTemplate audio_template;

class PublishFront : public SinkPart
{
public:
  using SinkPart::SinkPart;

  Front &video () { return video_; }
  Front &audio () { return audio_; }

  /* The element's init: both fronts' entry queue, appsink and ghost pad. */
  void init ();
  /* The run's encoder candidates (NULL->READY); null drops them. */
  void set_chain (std::unique_ptr<EncoderChain> chain)
  {
    chain_ = std::move (chain);
  }
  /* READY->NULL (loop): what build added is removed from both fronts. */
  void teardown ();
  /* Asks the video encoder (or upstream) for a keyframe now (loop). */
  void request_keyframe ();
  /* Replaces the running video encoder with the first encoder of another
   * codec that `accepted` takes (loop). Returns the new codec, or an empty
   * string when no swap was possible. */
  std::string
  swap_video_codec (const std::function<bool (const std::string &)> &accepted,
                    const char *reason);
  /* A guarded encoder failed while running (loop). */
  void on_encoder_failed (GstElement *enc, const std::string &why);

private:
  struct BlockCtx;
  static GstFlowReturn on_new_sample (GstAppSink *sink, gpointer user_data);
  static void on_appsink_eos (GstAppSink *sink, gpointer user_data);
  static GstPadProbeReturn entry_caps_probe (GstPad *pad, GstPadProbeInfo *info,
                                             gpointer user_data);
  static GstPadProbeReturn block_cb (GstPad *pad, GstPadProbeInfo *info,
                                     gpointer user_data);
  static bool add_tail (const std::string &codec,
                        std::vector<GstElement *> &chain, std::string &error);
  void sync_stats ();
  void init_front (Front &f, bool video);
  void teardown_front (Front &f);
  bool build (Front &f, GstCaps *caps, std::string &error);
  GstElement *make_working_video_encoder (GstCaps *in_caps,
                                          std::string &factory,
                                          std::string &error);
  void adopt_encoder (Front &f, std::vector<GstElement *> &chain,
                      std::initializer_list<GstElement *> elements,
                      GstElement *enc, const std::string &factory,
                      std::string &codec);
  bool add_video_encoder (Front &f, GstCaps *caps,
                          std::vector<GstElement *> &chain, std::string &codec,
                          std::string &error);
  bool add_audio_encoder (Front &f, std::vector<GstElement *> &chain,
                          std::string &codec, std::string &error);
  bool link_front (Front &f, const std::vector<GstElement *> &chain,
                   const char *caps_name, std::string &error);
  bool replace_video_encoder (GstElement *enc, const EncoderCandidate &cand);
  GstElement *open_candidate (const EncoderCandidate &cand, const Front &f);
  void post_encoder_changed (const std::string &from,
                             const EncoderCandidate &cand,
                             const std::string &reason,
                             const std::string &message);

  Front video_;
  Front audio_;
  std::unique_ptr<EncoderChain> chain_;
};

} // namespace resilient::gst::autorestore
